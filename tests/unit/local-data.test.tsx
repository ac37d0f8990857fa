import 'fake-indexeddb/auto';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { OptionsPage } from '@/components/options/OptionsPage';
import { ApiProvider } from '@/components/ui/api-context';
import { handleApiRequest } from '@/utils/background/api-handler';
import { createMemoryStore } from '@/utils/background/cache-store';
import { createDexieStore, FulcrumDb } from '@/utils/background/db';
import { applyLocalRetention, dropLocalData, LOCAL_RETENTION_MS, purgedAtItem } from '@/utils/background/local-data';
import { createMessagingApi } from '@/utils/panel/api-client';
import { bootPanel } from '@/utils/panel/boot';
import { hasSnapshots, pruneSnapshots, readSnapshot, saveSnapshot } from '@/utils/panel/snapshot';
import type { ApiMessage, DraftRecord } from '@/utils/shared/messaging';
import { activeContext } from '@/utils/shared/page-context';
import { tokenItem } from '@/utils/shared/settings';
import { CACHE_DB_NAME, PURGED_AT_KEY } from '@/utils/shared/storage-keys';
import { fakeFetch, handlerDeps, json } from './fake-fetch';
import { A, B, candidate, fakeApi, match } from './fixtures';

// Candidate data the extension keeps in the browser (IndexedDB results and drafts, the panel's localStorage
// snapshots) goes on sign-out, on a 401 from the backend, and after the 30-day retention period.

const DAY = 24 * 60 * 60 * 1000;
const draft = (opportunityId: string, updatedAt: string): DraftRecord => ({
  opportunityId,
  subject: 'Hello',
  body: 'Dear Ada, …',
  tone: 'warm',
  variant: 'first-contact',
  followUpDate: '2026-12-01',
  provenance: match().provenance as DraftRecord['provenance'],
  updatedAt,
});

beforeEach(() => {
  fakeBrowser.reset();
  localStorage.clear();
});
afterEach(async () => {
  vi.useRealTimers();
  await new FulcrumDb().delete();
});

test('the IndexedDB store drops what is older than the retention period, and everything on purge()', async () => {
  const db = new FulcrumDb();
  const store = createDexieStore(db);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.UTC(2026, 0, 1));
  await store.putResult(A, 'match', match(40));
  await store.putDraft(draft(A, new Date().toISOString()));
  vi.setSystemTime(Date.UTC(2026, 1, 15));
  await store.putResult(B, 'match', match(70));
  await store.putDraft(draft(B, new Date().toISOString()));

  await applyLocalRetention(store);
  expect(await store.getResult(A, 'match')).toBeNull();
  expect(await store.getDraft(A)).toBeNull();
  expect(await store.getResult(B, 'match')).toMatchObject({ score: 70 });
  expect(await store.getDraft(B)).toMatchObject({ opportunityId: B });

  await dropLocalData(store);
  expect(await db.results.count()).toBe(0);
  expect(await db.drafts.count()).toBe(0);
  expect(await purgedAtItem.getValue()).toBe(Date.UTC(2026, 1, 15));
  expect(CACHE_DB_NAME).toBe(db.name);
});

test('a 401 from the backend drops the cached results and drafts and records when; other failures keep them', async () => {
  const store = createMemoryStore();
  await store.putResult(A, 'candidate', candidate(A));
  await store.putDraft(draft(A, new Date().toISOString()));
  const onSignedOut = vi.fn(async () => purgedAtItem.setValue(12345));

  const forbidden = fakeFetch(() => json(403, { error: { code: 'forbidden', message: 'no' } }));
  await handleApiRequest(
    { op: 'candidate', opportunityId: A },
    { ...handlerDeps(forbidden.fetch, 'tok', store), onSignedOut },
  );
  expect(await store.getResult(A, 'candidate')).not.toBeNull();
  expect(onSignedOut).not.toHaveBeenCalled();

  const expired = fakeFetch(() =>
    json(401, { error: { code: 'unauthorized', message: 'This Fulcrum token expired on 2026-01-01.' } }),
  );
  const result = await handleApiRequest(
    { op: 'match', opportunityId: A },
    { ...handlerDeps(expired.fetch, 'tok', store), onSignedOut },
  );
  expect(result).toMatchObject({ ok: false, error: { kind: 'unauthorized', status: 401 } });
  expect(await store.getResult(A, 'candidate')).toBeNull();
  expect(await store.getDraft(A)).toBeNull();
  expect(onSignedOut).toHaveBeenCalledTimes(1);
  expect(await purgedAtItem.getValue()).toBe(12345);
});

test('snapshots past the retention period or from before the last drop are never shown, and prune removes them', () => {
  const now = Date.now();
  saveSnapshot(A, '<p>old</p>', now - LOCAL_RETENTION_MS - DAY);
  saveSnapshot(B, '<p>recent</p>', now - DAY);
  expect(readSnapshot(A)).toBeNull();
  expect(readSnapshot(B)).toBe('<p>recent</p>');
  // Dropped at sign-out after B was saved: B is not shown either.
  expect(readSnapshot(B, now - 1000)).toBeNull();
  pruneSnapshots(now - 1000);
  expect(hasSnapshots()).toBe(false);
});

test('an extension page that hears a 401 clears its snapshots at once', async () => {
  saveSnapshot(A, '<p>a</p>');
  const send = vi.fn(async (_m: ApiMessage) => ({
    ok: false,
    error: { kind: 'unauthorized', message: 'This Fulcrum token is invalid or was revoked.', status: 401 },
  }));
  const api = createMessagingApi(send, async () => null);
  await expect(api.candidate({ opportunityId: A })).rejects.toThrow(/revoked/);
  expect(hasSnapshots()).toBe(false);
  // Another failure leaves them alone.
  saveSnapshot(A, '<p>a</p>');
  send.mockResolvedValueOnce({ ok: false, error: { kind: 'forbidden', message: 'no', status: 403 } });
  await expect(api.candidate({ opportunityId: A })).rejects.toThrow();
  expect(readSnapshot(A)).toBe('<p>a</p>');
});

test('the panel does not paint a snapshot saved before the worker dropped the cache, and deletes it', async () => {
  document.body.innerHTML = '<div id="root"></div>';
  const root = document.getElementById('root') as HTMLElement;
  await activeContext.setValue({ kind: 'candidate', opportunityId: A, url: `https://hire.lever.co/candidates/${A}` });
  saveSnapshot(
    A,
    `<main data-opportunity-id="${A}"><h1>Saved ${A}</h1><p elementtiming="match-score">55</p></main>`,
    Date.now() - 5_000,
  );
  await fakeBrowser.storage.local.set({ [PURGED_AT_KEY]: Date.now() - 1_000 });
  const loadApp = vi.fn(async () => () => {});
  await bootPanel(root, loadApp);
  expect(loadApp).toHaveBeenCalled();
  expect(screen.queryByText(`Saved ${A}`)).not.toBeInTheDocument();
  expect(hasSnapshots()).toBe(false);
});

test('Options → Sign out removes the token, the cached results and drafts, and the snapshots', async () => {
  const user = userEvent.setup();
  const store = createDexieStore();
  await store.putResult(A, 'match', match(50));
  await store.putDraft(draft(A, new Date().toISOString()));
  saveSnapshot(A, '<p>a</p>');
  await tokenItem.setValue('flk_old');
  render(
    <ApiProvider api={fakeApi()}>
      <OptionsPage />
    </ApiProvider>,
  );
  await waitFor(() => expect(screen.getByLabelText('Recruiter token')).toHaveValue('flk_old'));
  await user.click(screen.getByRole('button', { name: 'Sign out' }));
  expect(await screen.findByText(/Signed out: the token and the candidate data this browser kept/)).toBeInTheDocument();
  expect(await tokenItem.getValue()).toBe('');
  expect(screen.getByLabelText('Recruiter token')).toHaveValue('');
  expect(await store.getResult(A, 'match')).toBeNull();
  expect(await store.getDraft(A)).toBeNull();
  expect(hasSnapshots()).toBe(false);
  expect(await purgedAtItem.getValue()).toBeGreaterThan(0);
});

test('saving another token drops what the browser kept for the previous one; saving the same token keeps it', async () => {
  const user = userEvent.setup();
  const store = createDexieStore();
  await store.putResult(A, 'match', match(50));
  await tokenItem.setValue('flk_same');
  render(
    <ApiProvider api={fakeApi()}>
      <OptionsPage />
    </ApiProvider>,
  );
  const token = screen.getByLabelText('Recruiter token');
  await waitFor(() => expect(token).toHaveValue('flk_same'));
  await user.click(screen.getByRole('button', { name: 'Save' }));
  await screen.findByText('Saved.');
  expect(await store.getResult(A, 'match')).not.toBeNull();
  await user.clear(token);
  await user.type(token, 'flk_someone_else');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  await waitFor(async () => expect(await store.getResult(A, 'match')).toBeNull());
});
