import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { OptionsPage } from '@/components/options/OptionsPage';
import { ApiProvider } from '@/components/ui/api-context';
import type { ConnectionReport } from '@/utils/shared/messaging';
import { backendUrlItem, tokenItem } from '@/utils/shared/settings';
import { fakeApi } from './fixtures';

beforeEach(() => fakeBrowser.reset());

const report: ConnectionReport = {
  backendUrl: 'http://127.0.0.1:8787',
  backend: { ok: true, message: 'Backend reachable at http://127.0.0.1:8787' },
  token: { ok: false, message: 'Token invalid (401): paste a valid recruiter token.' },
  lever: null,
  ai: null,
};

/** The options page on the given API; resolves with the Backend URL field once the stored URL has loaded into it. */
async function renderOptions(api: ReturnType<typeof fakeApi>) {
  render(
    <ApiProvider api={api}>
      <OptionsPage />
    </ApiProvider>,
  );
  const url = await screen.findByLabelText('Backend URL');
  await vi.waitFor(() => expect(url).toHaveValue('http://127.0.0.1:8787'));
  return url;
}

test('Test connection reports each step with the values typed, before saving', async () => {
  const user = userEvent.setup();
  const api = fakeApi({ testConnection: vi.fn(async () => report) });
  await renderOptions(api);
  await user.type(screen.getByLabelText('Recruiter token'), ' tok-1 ');
  await user.click(screen.getByRole('button', { name: 'Test connection' }));
  expect(api.testConnection).toHaveBeenCalledWith({ backendUrl: 'http://127.0.0.1:8787', token: 'tok-1' });
  const section = await screen.findByRole('region', { name: 'Connection test' });
  expect(section).toHaveTextContent('OK Backend: Backend reachable');
  expect(section).toHaveTextContent('Problem Token: Token invalid (401)');
  expect(section).toHaveTextContent('Not checked Lever');
});

test('Save stores the URL and token; a non-default backend asks for its host permission first', async () => {
  const user = userEvent.setup();
  const request = vi.spyOn(fakeBrowser.permissions, 'request').mockResolvedValue(true);
  const url = await renderOptions(fakeApi());
  await user.clear(url);
  await user.type(url, 'https://fulcrum.example.com/');
  await user.type(screen.getByLabelText('Recruiter token'), 'tok-2');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByRole('status')).toHaveTextContent('Saved.');
  expect(request).toHaveBeenCalledWith({ origins: ['https://fulcrum.example.com/*'] });
  expect(await backendUrlItem.getValue()).toBe('https://fulcrum.example.com');
  expect(await tokenItem.getValue()).toBe('tok-2');
});

test('a refused permission or an invalid URL saves nothing and says why', async () => {
  const user = userEvent.setup();
  vi.spyOn(fakeBrowser.permissions, 'request').mockResolvedValue(false);
  const url = await renderOptions(fakeApi());
  await user.clear(url);
  await user.type(url, 'https://other.example.com');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByRole('status')).toHaveTextContent('Not saved: Fulcrum needs permission to reach');
  await user.clear(url);
  await user.type(url, 'ftp://x');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByRole('status')).toHaveTextContent('must be an http:// or https:// address');
  expect(await backendUrlItem.getValue()).toBe('http://127.0.0.1:8787');
});
