import type { SyncProgress } from '../../utils/contracts/rediscovery.ts';

/**
 * One line of sync progress for a terminal or a log: phase, done/total (or "?" while listing, when Lever gives
 * no count), request rate, 429s and an ETA once the total is known.
 */
export function progressLine(p: SyncProgress, elapsedMs: number, requestsThisProcess: number): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const rate = requestsThisProcess / secs;
  const fmt = (n: number) => n.toLocaleString('en-US');
  if (p.phase === 'listing') {
    return `sync ${p.mode ?? ''} · listing opportunities ${fmt(p.listed)}/? · ${rate.toFixed(1)} req/s · 429s ${p.rateLimited} · ETA unknown`;
  }
  const total = p.detailsTotal;
  const done = p.detailsDone;
  const pct = total ? Math.floor((100 * done) / total) : 100;
  const width = 20;
  const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
  // ETA from the detail rate so far: ~3-4 requests per opportunity at the token bucket's pace.
  const perOpp = done > 0 ? secs / done : null;
  const eta = total !== null && perOpp !== null ? `${Math.ceil((total - done) * perOpp)} s` : 'unknown';
  const label = p.phase === 'done' ? 'done' : 'resumes, notes, feedback';
  return `sync ${p.mode ?? ''} · [${bar}] ${pct}% ${label} ${fmt(done)}/${total === null ? '?' : fmt(total)} · listed ${fmt(p.listed)} · ${rate.toFixed(1)} req/s · 429s ${p.rateLimited} · ETA ${eta}`;
}
