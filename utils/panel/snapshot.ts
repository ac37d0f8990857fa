import { LOCAL_RETENTION_DAYS, SNAPSHOTS_KEY } from '@/utils/shared/storage-keys';
import { whenIdle } from './after-paint';
import { markPanel } from './marks';

/**
 * What the side panel last showed for each recently seen candidate (its match view, as HTML), so that opening the
 * panel on one of them paints that view before React and the app's bundle are loaded. Kept in the panel page's
 * localStorage, which is read synchronously, unlike IndexedDB or extension storage. The same extension origin already
 * keeps these candidates' results in IndexedDB; at most SNAPSHOT_LIMIT are kept, the least recently saved dropped
 * first. A snapshot is only ever shown for the candidate it was taken of (the page context says which), until the app
 * has rendered that candidate from the cache or the backend (see panel/boot.ts).
 */
export const SNAPSHOT_LIMIT = 20;
/** Snapshots older than this are never shown and are dropped at the next save (the local retention period). */
export const SNAPSHOT_MAX_AGE_MS = LOCAL_RETENTION_DAYS * 24 * 60 * 60 * 1000;

/** The score's Element Timing id (MatchPanel): its presence means the match view with a score is on screen. */
const SCORE_SELECTOR = '[elementtiming="match-score"]';

type Snapshots = Record<string, { html: string; savedAt: number }>;

/**
 * The snapshots worth showing: well-formed, saved within the retention period, and after the cached results were last
 * dropped (`purgedAt`: sign-out or a 401, local-data.ts).
 */
function load(now = Date.now(), purgedAt = 0): Snapshots {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SNAPSHOTS_KEY) ?? '{}');
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    // Only well-formed entries: one bad entry must not stop every later save.
    return Object.fromEntries(
      Object.entries(parsed).filter(
        ([, entry]) =>
          typeof entry?.html === 'string' &&
          typeof entry?.savedAt === 'number' &&
          entry.savedAt > purgedAt &&
          now - entry.savedAt < SNAPSHOT_MAX_AGE_MS,
      ),
    ) as Snapshots;
  } catch {
    return {}; // unreadable or no localStorage: nothing to show
  }
}

/** Forgets every snapshot (sign-out, a 401 from the backend). */
export function clearSnapshots(): void {
  try {
    localStorage.removeItem(SNAPSHOTS_KEY);
  } catch {
    // No localStorage: nothing kept.
  }
}

/** Drops the snapshots past the retention period or from before `purgedAt`, keeping the rest as they are. */
export function pruneSnapshots(purgedAt = 0, now = Date.now()): void {
  if (!hasSnapshots()) return;
  const kept = load(now, purgedAt);
  try {
    if (Object.keys(kept).length === 0) localStorage.removeItem(SNAPSHOTS_KEY);
    else localStorage.setItem(SNAPSHOTS_KEY, JSON.stringify(kept));
  } catch {
    // Storage unavailable: load() already refuses to show them.
  }
}

export function hasSnapshots(): boolean {
  try {
    return localStorage.getItem(SNAPSHOTS_KEY) !== null;
  } catch {
    return false;
  }
}

export function readSnapshot(opportunityId: string, purgedAt = 0, now = Date.now()): string | null {
  return load(now, purgedAt)[opportunityId]?.html ?? null;
}

export function saveSnapshot(opportunityId: string, html: string, now = Date.now()): void {
  const kept = Object.entries({ ...load(now), [opportunityId]: { html, savedAt: now } })
    .sort(([, a], [, b]) => b.savedAt - a.savedAt)
    .slice(0, SNAPSHOT_LIMIT);
  try {
    localStorage.setItem(SNAPSHOTS_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Storage full or unavailable: the panel still opens, from the cache, only without the head start.
  }
}

/** React has rendered something that is not a placeholder (no `aria-busy` element left). */
function settled(root: HTMLElement): boolean {
  return root.firstElementChild !== null && root.querySelector('[aria-busy="true"]') === null;
}

/** The candidate view `root` shows, if it shows one, and that candidate's opportunity id. */
function candidateView(root: HTMLElement): { view: Element; opportunityId: string } | null {
  const view = root.querySelector('[data-opportunity-id]');
  const opportunityId = view?.getAttribute('data-opportunity-id');
  return view && opportunityId ? { view, opportunityId } : null;
}

/**
 * Shows `html`, the snapshot of `opportunityId`'s view, in place of `root` while React renders into the hidden root,
 * and swaps them the moment React has something other than a placeholder to show, or shows another candidate (a
 * mutation observer's callback runs before the next frame is painted, so no frame shows both or neither), or after
 * `maxMs` whatever React has. The snapshot is inert (nothing in it can be clicked or focused, screen readers skip
 * it) and has no ids or test ids, so nothing finds it in place of the live view.
 */
export function showSnapshot(root: HTMLElement, html: string, opportunityId: string, maxMs = 1500): void {
  const shot = document.createElement('div');
  shot.setAttribute('inert', '');
  shot.setAttribute('aria-hidden', 'true');
  shot.innerHTML = html;
  for (const element of shot.querySelectorAll('[id], [data-testid]')) {
    element.removeAttribute('id');
    element.removeAttribute('data-testid');
  }
  root.before(shot);
  root.hidden = true;
  markPanel('snapshot');
  const reveal = () => {
    observer.disconnect();
    clearTimeout(timer);
    shot.remove();
    root.hidden = false;
  };
  const observer = new MutationObserver(() => {
    const shown = candidateView(root)?.opportunityId;
    if (settled(root) || (shown !== undefined && shown !== opportunityId)) reveal();
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-busy'] });
  const timer = setTimeout(reveal, maxMs);
}

/**
 * The snapshot worth keeping of what `root` shows now: a candidate's match view with its score, settled, without an
 * error on screen; null for anything else (another tab, the inbox, a placeholder, a failure).
 */
export function snapshotOf(root: HTMLElement): { opportunityId: string; html: string } | null {
  if (root.hidden || !settled(root)) return null;
  const shown = candidateView(root);
  if (!shown?.view.querySelector(SCORE_SELECTOR) || root.querySelector('[role="alert"]')) return null;
  return { opportunityId: shown.opportunityId, html: root.innerHTML };
}

/** Saves what `root` shows whenever it changes to a view worth keeping, once the page is idle. Returns a stop. */
export function keepSnapshots(root: HTMLElement): () => void {
  let scheduled = false;
  let last = '';
  const capture = () => {
    scheduled = false;
    const snapshot = snapshotOf(root);
    if (!snapshot || snapshot.html === last) return;
    last = snapshot.html;
    saveSnapshot(snapshot.opportunityId, snapshot.html);
  };
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    whenIdle(capture);
  });
  observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
  return () => observer.disconnect();
}
