import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../backend/config.ts';

test('embedded defaults: local port, ./data, emulator when no Lever key', () => {
  const config = loadConfig({});
  expect(config.PORT).toBe(8787);
  expect(config.dataDir.endsWith('/data')).toBe(true);
  expect(config.useEmulator).toBe(true);
});

test('a Lever key switches the emulator off', () => {
  expect(loadConfig({ LEVER_API_KEY: 'abc' }).useEmulator).toBe(false);
});

test('a bad value names the variable', () => {
  expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
  expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  expect(() => loadConfig({ AI_BASE_URL: 'not a url' })).toThrow(/AI_BASE_URL/);
});

test('an empty variable counts as unset', () => {
  expect(loadConfig({ LEVER_API_KEY: '', PORT: ' ' })).toMatchObject({ useEmulator: true, PORT: 8787 });
});
