import { expect, test } from 'vitest';
import { browserTier, DEBIAN_CHROMIUM } from '../e2e/chromium.ts';

// How `npm test` decides about its browser tier (tests/e2e/chromium.ts, read by vitest.config.ts): run it on the
// browser found, skip it with a notice on a developer's machine without one, fail under CI.
const only =
  (...files: string[]) =>
  (file: string) =>
    files.includes(file);

test("runs on Debian's Chromium, or on CHROMIUM_PATH when it is set", () => {
  expect(browserTier({}, only(DEBIAN_CHROMIUM))).toEqual({ run: true, executablePath: DEBIAN_CHROMIUM });
  expect(browserTier({ CHROMIUM_PATH: '/opt/chromium/chrome' }, only('/opt/chromium/chrome', DEBIAN_CHROMIUM))).toEqual(
    { run: true, executablePath: '/opt/chromium/chrome' },
  );
  // An empty CHROMIUM_PATH (`CHROMIUM_PATH= npm test`) means the default.
  expect(browserTier({ CHROMIUM_PATH: '' }, only(DEBIAN_CHROMIUM))).toEqual({
    run: true,
    executablePath: DEBIAN_CHROMIUM,
  });
});

test('without a browser the tier is skipped, and the notice says how to enable it', () => {
  const tier = browserTier({}, only());
  expect(tier).toMatchObject({ run: false, fail: false });
  const message = tier.run ? '' : tier.message;
  expect(message).toContain('SKIPPED');
  expect(message).toContain(`Chromium not found at ${DEBIAN_CHROMIUM}`);
  expect(message).toContain('apt-get install -y chromium');
  expect(message).toContain('CHROMIUM_PATH');
  for (const CI of ['false', '0', '']) expect(browserTier({ CI }, only())).toMatchObject({ run: false, fail: false });
});

test("a CHROMIUM_PATH that does not exist is named, and Debian's Chromium is not used behind its back", () => {
  const tier = browserTier({ CHROMIUM_PATH: '/nonexistent' }, only(DEBIAN_CHROMIUM));
  expect(tier).toMatchObject({ run: false, fail: false });
  expect(tier.run ? '' : tier.message).toContain('CHROMIUM_PATH=/nonexistent does not exist');
});

test('under CI a missing browser fails the run instead of skipping the tier', () => {
  for (const CI of ['true', '1', 'github-actions']) {
    const tier = browserTier({ CI }, only());
    expect(tier).toMatchObject({ run: false, fail: true });
    expect(tier.run ? '' : tier.message).toMatch(/cannot be skipped/);
    expect(tier.run ? '' : tier.message).not.toContain('SKIPPED');
  }
  expect(browserTier({ CI: 'true' }, only(DEBIAN_CHROMIUM))).toEqual({ run: true, executablePath: DEBIAN_CHROMIUM });
});
