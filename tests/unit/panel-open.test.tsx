import { act, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SidePanel } from '@/components/panel/SidePanel';
import { ApiProvider } from '@/components/ui/api-context';
import { handleActivated, handleRuntimeMessage } from '@/utils/background/background-context';
import type { MatchResult } from '@/utils/contracts/ai.ts';
import type { CandidateContext } from '@/utils/contracts/api.ts';
import { createMessagingApi } from '@/utils/panel/api-client';
import { readCachedResult } from '@/utils/panel/cache-reader';
import { primePanel, takeCachedReads } from '@/utils/panel/prime';
import { resetPanelStore, seedCachedReads, usePanelStore } from '@/utils/panel/store';
import type { FulcrumApi } from '@/utils/shared/messaging';
import { activeContext } from '@/utils/shared/page-context';
import { A, B, candidate, deferred, fakeApi, match } from './fixtures';

// Opening the panel: what it shows before the background worker or the backend has answered anything.
// happy-dom has no IndexedDB, so the cache reader is replaced here; tests/e2e reads the real one in Chromium.
vi.mock('@/utils/panel/cache-reader', () => ({ openCacheEarly: vi.fn(), readCachedResult: vi.fn(async () => null) }));

beforeEach(() => {
  // A spied tabs.getCurrent (a panel opened as a tab) must not leak into the next test.
  vi.restoreAllMocks();
  fakeBrowser.reset();
  resetPanelStore();
  vi.mocked(readCachedResult).mockReset().mockResolvedValue(null);
});

const page = (id: string) => ({
  kind: 'candidate' as const,
  opportunityId: id,
  url: `https://hire.lever.co/candidates/${id}`,
});

/** Backend answers that never arrive: whatever shows came from the cache. */
function silentApi(): FulcrumApi {
  const never = <T,>() => deferred<T>().promise;
  return fakeApi({ candidate: vi.fn(() => never<CandidateContext>()), match: vi.fn(() => never<MatchResult>()) });
}

function renderPanel(api: FulcrumApi) {
  return render(
    <ApiProvider api={api}>
      <SidePanel />
    </ApiProvider>,
  );
}

test('the cached candidate and match are in the first frame of the panel, before any answer', async () => {
  await activeContext.setValue(page(A));
  vi.mocked(readCachedResult).mockImplementation(async (id, capability) =>
    id !== A ? null : capability === 'match' ? match(55) : candidate(A),
  );
  await primePanel();
  seedCachedReads(takeCachedReads());
  // Animation frames are held until the test releases them: "painted" is then under the test's control.
  const frames: FrameRequestCallback[] = [];
  vi.spyOn(window, 'requestAnimationFrame').mockImplementation((callback) => frames.push(callback));
  const api = silentApi();
  renderPanel(api);
  // Shown without waiting for the api's cache lookup or the (never answered) backend, with the refresh notice
  // already in place so the score does not move when the refresh starts.
  expect(await screen.findByTestId('match-score')).toHaveTextContent('55');
  expect(screen.getByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeInTheDocument();
  expect(screen.getByText(/showing the saved result; refreshing/i)).toBeInTheDocument();
  // The refresh waits for that frame to be painted, so its work does not delay the cached score.
  expect(api.match).not.toHaveBeenCalled();
  expect(api.candidate).not.toHaveBeenCalled();
  // Frames are released inside the wait: the effects that ask for them may run after the score was found.
  await waitFor(() => {
    for (const frame of frames.splice(0)) frame(performance.now());
    expect(api.match).toHaveBeenCalledWith({ opportunityId: A, refresh: false });
  });
  expect(api.candidate).toHaveBeenCalledWith({ opportunityId: A });
  expect(api.cached).not.toHaveBeenCalled();
});

test('a cached result put in the store for one candidate never shows under another', async () => {
  usePanelStore.getState().showCached(A, 'match', match(55));
  usePanelStore.getState().showCached(A, 'candidate', candidate(A));
  await activeContext.setValue(page(B));
  renderPanel(silentApi());
  expect(await screen.findByTestId('opportunity-id')).toHaveTextContent(B);
  expect(screen.getByRole('status', { name: /scoring the candidate/i })).toBeInTheDocument();
  expect(screen.queryByTestId('match-score')).not.toBeInTheDocument();
  expect(screen.queryByText('Ada Lovelace')).not.toBeInTheDocument();

  await act(() => activeContext.setValue(page(A)));
  expect(await screen.findByTestId('match-score')).toHaveTextContent('55');
  expect(screen.getByTestId('opportunity-id')).toHaveTextContent(A);
});

test('a panel opened as a tab shows the tab it came from without waiting for the background', async () => {
  // The Lever tab (1) reported candidate A; then the panel tab (9) became active, which clears the active context.
  await handleRuntimeMessage({ type: 'fulcrum:page', url: page(A).url }, { id: 1, active: true });
  await handleActivated(9);
  expect(await activeContext.getValue()).toEqual({ kind: 'none' });
  const tabs = fakeBrowser.tabs as unknown as { getCurrent: () => Promise<{ id: number }> };
  vi.spyOn(tabs, 'getCurrent').mockResolvedValue({ id: 9 });
  // No background listens: the panel's announcement goes unanswered.
  renderPanel(fakeApi());
  expect(await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeInTheDocument();
  expect(await activeContext.getValue()).toEqual({ kind: 'none' });
  expect(screen.queryByText(/Open a candidate in Lever/)).not.toBeInTheDocument();
});

test('a page reported while the panel was mounting still shows (the primed read came before it)', async () => {
  // The panel primes its read before React mounts; the Lever tab's report lands after that read and before the
  // panel watches session storage, so no change event reaches it.
  await primePanel();
  await activeContext.setValue(page(B));
  renderPanel(silentApi());
  expect(await screen.findByTestId('opportunity-id')).toHaveTextContent(B);
  expect(screen.queryByText(/Open a candidate in Lever/)).not.toBeInTheDocument();
});

test('the extension client reads cached results itself; everything else goes to the background', async () => {
  const send = vi.fn(async () => ({ ok: true, data: candidate(A) }));
  const readCache = vi.fn(async () => match(40));
  const api = createMessagingApi(send, readCache);
  expect(await api.cached({ opportunityId: A, capability: 'match' })).toMatchObject({ score: 40 });
  expect(readCache).toHaveBeenCalledWith(A, 'match');
  expect(send).not.toHaveBeenCalled();
  readCache.mockRejectedValueOnce(new Error('IndexedDB unavailable'));
  expect(await api.cached({ opportunityId: A, capability: 'match' })).toBeNull();
  await api.candidate({ opportunityId: A });
  expect(send).toHaveBeenCalledWith({ type: 'fulcrum:api', request: { op: 'candidate', opportunityId: A } });
});

test('a read that got no answer from the worker (or lost its channel) is asked once more; a write is not', async () => {
  const send = vi.fn().mockResolvedValueOnce(undefined).mockResolvedValueOnce({ ok: true, data: [] });
  const api = createMessagingApi(send, vi.fn());
  expect(await api.audit({ opportunityId: A })).toEqual([]);
  expect(send).toHaveBeenCalledTimes(2);
  const closed = vi
    .fn()
    .mockRejectedValueOnce(new Error('the message channel closed before a response was received'))
    .mockResolvedValueOnce({ ok: true, data: [] });
  expect(await createMessagingApi(closed, vi.fn()).audit({ opportunityId: A })).toEqual([]);
  expect(closed).toHaveBeenCalledTimes(2);

  const write = vi.fn().mockResolvedValue(undefined);
  await expect(createMessagingApi(write, vi.fn()).approveProposal({ id: 'p-1', dryRun: false })).rejects.toThrow(
    /gave no answer/,
  );
  expect(write).toHaveBeenCalledTimes(1);
});
