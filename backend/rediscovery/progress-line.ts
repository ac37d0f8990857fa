import type { EmbeddingProgress, SyncProgress } from '../../utils/contracts/rediscovery.ts';

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

/** One line of embedding progress (the vector index), in the same style. */
export function embeddingLine(p: EmbeddingProgress, elapsedMs: number): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
  const bar = '#'.repeat(Math.round((pct / 100) * 20)).padEnd(20, '.');
  const rate = p.done / secs;
  const eta = rate > 0 ? `${Math.ceil((p.total - p.done) / rate)} s` : 'unknown';
  return `embeddings ${p.model} · [${bar}] ${pct}% ${fmt(p.done)}/${fmt(p.total)} · ${rate.toFixed(0)} people/s · ${fmt(p.embedded)} embedded · ETA ${eta}`;
}
