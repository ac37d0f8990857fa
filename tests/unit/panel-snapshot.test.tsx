import { act, screen, waitFor } from '@testing-library/react';
import type { Root } from 'react-dom/client';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SidePanel } from '@/components/panel/SidePanel';
import { ApiProvider } from '@/components/ui/api-context';
import { mountPanel } from '@/entrypoints/sidepanel/mount';
import type { MatchResult } from '@/utils/contracts/ai.ts';
import type { CandidateContext } from '@/utils/contracts/api.ts';
import { bootPanel } from '@/utils/panel/boot';
import { readCachedResult } from '@/utils/panel/cache-reader';
import { primePanel, takeCachedReads } from '@/utils/panel/prime';
import {
  hasSnapshots,
  readSnapshot,
  SNAPSHOT_LIMIT,
  saveSnapshot,
  showSnapshot,
  snapshotOf,
} from '@/utils/panel/snapshot';
import { resetPanelStore, seedCachedReads, usePanelStore } from '@/utils/panel/store';
import { activeContext } from '@/utils/shared/page-context';
import { SNAPSHOTS_KEY } from '@/utils/shared/storage-keys';
import { A, B, candidate, deferred, fakeApi, match } from './fixtures';

// The side panel's snapshot of a candidate's match view: painted before React loads, only for that candidate, and
// replaced by the live view. happy-dom has no IndexedDB, so the cache reader is replaced (tests/e2e reads the real one).
vi.mock('@/utils/panel/cache-reader', () => ({ openCacheEarly: vi.fn(), readCachedResult: vi.fn(async () => null) }));

let react: Root | undefined;
beforeEach(() => {
  vi.restoreAllMocks();
  fakeBrowser.reset();
  resetPanelStore();
  localStorage.clear();
  vi.mocked(readCachedResult).mockReset().mockResolvedValue(null);
  document.body.innerHTML = '<div id="root"></div>';
});
afterEach(() => {
  act(() => react?.unmount());
  react = undefined;
});

const page = (id: string) => ({
  kind: 'candidate' as const,
  opportunityId: id,
  url: `https://hire.lever.co/candidates/${id}`,
});
const root = () => document.getElementById('root') as HTMLElement;
/** A saved match view, as the panel would have captured it. */
const shot = (id: string, score: number) =>
  `<main class="panel" data-opportunity-id="${id}"><h1>Saved ${id}</h1>` +
  `<p class="score" elementtiming="match-score"><span data-testid="match-score">${score}</span></p></main>`;

/** The backend never answers: whatever the panel shows came from the snapshot or the cache. */
function silentApi() {
  const never = <T,>() => deferred<T>().promise;
  return fakeApi({ candidate: vi.fn(() => never<CandidateContext>()), match: vi.fn(() => never<MatchResult>()) });
}

test('snapshots: read back per candidate, the least recently saved dropped past the limit, bad data ignored', () => {
  expect(hasSnapshots()).toBe(false);
  const t0 = Date.now() - 60_000;
  for (let i = 0; i <= SNAPSHOT_LIMIT; i++) saveSnapshot(`opp-${i}`, `<p>${i}</p>`, t0 + i);
  expect(readSnapshot('opp-0')).toBeNull();
  expect(readSnapshot('opp-1')).toBe('<p>1</p>');
  expect(readSnapshot(`opp-${SNAPSHOT_LIMIT}`)).toBe(`<p>${SNAPSHOT_LIMIT}</p>`);
  localStorage.setItem(SNAPSHOTS_KEY, '{not json');
  expect(readSnapshot('opp-1')).toBeNull();
  saveSnapshot(A, '<p>a</p>');
  expect(readSnapshot(A)).toBe('<p>a</p>');
  // A malformed entry is dropped, not a reason to stop saving.
  localStorage.setItem(SNAPSHOTS_KEY, JSON.stringify({ x: null, y: { html: 1 }, z: { html: '<p>z</p>' } }));
  saveSnapshot(B, '<p>b</p>');
  expect(readSnapshot(B)).toBe('<p>b</p>');
  expect(readSnapshot('x')).toBeNull();
});

test('opening on a candidate with a snapshot paints it before the app loads, and the live view replaces it', async () => {
  await activeContext.setValue(page(A));
  saveSnapshot(A, shot(A, 55));
  vi.mocked(readCachedResult).mockImplementation(async (id, capability) =>
    id !== A ? null : capability === 'match' ? match(61) : candidate(A),
  );
  const app = deferred<(root: HTMLElement) => void>();
  const loadApp = vi.fn(() => app.promise);
  const booted = bootPanel(root(), loadApp);
  await waitFor(() => expect(loadApp).toHaveBeenCalled());
  // Before any React: the saved view is on screen (inert, without ids or test ids that would be found in place of the
  // live view's), the app's root hidden.
  const saved = screen.getByText(`Saved ${A}`).closest('[inert]');
  expect(saved).not.toBeNull();
  expect(saved?.querySelector('[elementtiming="match-score"]')).toHaveTextContent('55');
  expect(screen.queryByTestId('match-score')).not.toBeInTheDocument();
  expect(root().hidden).toBe(true);

  app.resolve((el) => {
    react = mountPanel(
      el,
      <ApiProvider api={silentApi()}>
        <SidePanel />
      </ApiProvider>,
    );
  });
  await booted;
  // The app rendered the cached candidate and match: the snapshot is gone, exactly one score on the page.
  await waitFor(() => expect(screen.queryByText(`Saved ${A}`)).not.toBeInTheDocument());
  expect(root().hidden).toBe(false);
  expect(screen.getAllByTestId('match-score')).toHaveLength(1);
  expect(screen.getByTestId('match-score')).toHaveTextContent('61');
  expect(screen.getByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeInTheDocument();
  // And the live view is kept as the next snapshot once the page is idle.
  await waitFor(() => expect(readSnapshot(A)).toContain('Ada Lovelace'));
  expect(readSnapshot(A)).toContain('data-opportunity-id');
});

test("another candidate's snapshot is never shown: the panel opens on B with only A saved", async () => {
  await activeContext.setValue(page(B));
  saveSnapshot(A, shot(A, 55));
  const loadApp = vi.fn(async () => () => {});
  await bootPanel(root(), loadApp);
  expect(loadApp).toHaveBeenCalled();
  expect(screen.queryByText(`Saved ${A}`)).not.toBeInTheDocument();
  expect(screen.queryByTestId('match-score')).not.toBeInTheDocument();
  expect(root().hidden).toBe(false);
});

test('the snapshot stays over placeholders and gives way to the first real view, or after the time limit', async () => {
  showSnapshot(root(), shot(A, 55), A);
  root().innerHTML = '<main aria-busy="true"></main>';
  await Promise.resolve(); // mutation observers run in a microtask
  expect(root().hidden).toBe(true);
  root().innerHTML = '<main><div role="status" aria-busy="true">Loading</div></main>';
  await Promise.resolve();
  expect(root().hidden).toBe(true);
  root().innerHTML = '<main><p>Open a candidate in Lever</p></main>';
  await waitFor(() => expect(root().hidden).toBe(false));
  expect(screen.queryByText(`Saved ${A}`)).not.toBeInTheDocument();

  vi.useFakeTimers();
  try {
    root().innerHTML = '';
    showSnapshot(root(), shot(A, 55), A, 1500);
    vi.advanceTimersByTime(1499);
    expect(root().hidden).toBe(true);
    vi.advanceTimersByTime(1);
    expect(root().hidden).toBe(false);
    expect(screen.queryByText(`Saved ${A}`)).not.toBeInTheDocument();
  } finally {
    vi.useRealTimers();
  }

  // The page moved on to another candidate while the app loaded: A's snapshot goes at once, placeholder or not.
  root().innerHTML = '';
  showSnapshot(root(), shot(A, 55), A);
  root().innerHTML = `<main data-opportunity-id="${B}"><div role="status" aria-busy="true"></div></main>`;
  await waitFor(() => expect(root().hidden).toBe(false));
  expect(screen.queryByText(`Saved ${A}`)).not.toBeInTheDocument();
});

test('with snapshots saved but none of this candidate, the app loads without waiting for the cache', async () => {
  await activeContext.setValue(page(B));
  saveSnapshot(A, shot(A, 55));
  vi.mocked(readCachedResult).mockImplementation(() => deferred<null>().promise); // IndexedDB never answers
  // Timers stand still, so the cache's 100 ms allowance never runs out: the app must be loaded without it.
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  try {
    const loadApp = vi.fn(async () => () => {});
    void bootPanel(root(), loadApp);
    for (let i = 0; i < 50 && loadApp.mock.calls.length === 0; i++) await Promise.resolve();
    expect(loadApp).toHaveBeenCalled();
  } finally {
    vi.useRealTimers();
  }
});

test('the app loads even when session storage cannot be read', async () => {
  saveSnapshot(A, shot(A, 55));
  vi.spyOn(fakeBrowser.storage.session, 'get').mockRejectedValue(new Error('storage unavailable'));
  const loadApp = vi.fn(async () => () => {});
  await bootPanel(root(), loadApp);
  expect(loadApp).toHaveBeenCalled();
  expect(root().hidden).toBe(false);
});

test('an app bundle that fails to load leaves a message, not a blank panel', async () => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  await bootPanel(root(), () => Promise.reject(new Error('chunk missing')));
  expect(root()).toHaveTextContent(/could not load/i);
});

test('cached reads taken before the page is known are still handed to the store', async () => {
  await activeContext.setValue(page(A));
  vi.mocked(readCachedResult).mockImplementation(async (id, capability) =>
    id !== A ? null : capability === 'match' ? match(61) : candidate(A),
  );
  const primed = primePanel();
  // The app loaded first (nothing to show early) and took the reads before the page was read.
  seedCachedReads(takeCachedReads());
  await primed;
  await waitFor(() => expect(usePanelStore.getState().byOpportunity[A]?.match.data).toMatchObject({ score: 61 }));
  expect(usePanelStore.getState().byOpportunity[A]?.candidate.data).toMatchObject({ name: 'Ada Lovelace' });
});

test('only a settled match view with its score and no error is worth keeping', () => {
  const view = (inner: string) => {
    root().innerHTML = `<nav></nav><main data-opportunity-id="${A}">${inner}</main>`;
    return snapshotOf(root());
  };
  const score = '<p elementtiming="match-score"><span>70</span></p>';
  expect(view(score)).toEqual({ opportunityId: A, html: root().innerHTML });
  expect(view('<section aria-label="Outreach"></section>')).toBeNull(); // another tab
  expect(view(`${score}<div role="status" aria-busy="true"></div>`)).toBeNull(); // still loading
  expect(view(`${score}<div class="error" role="alert">Backend unreachable</div>`)).toBeNull();
  root().innerHTML = `<main>${score}</main>`;
  expect(snapshotOf(root())).toBeNull(); // not a candidate's view
});
