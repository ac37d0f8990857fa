/**
 * Reads Lever Hire URLs. Takes the URL as a parameter (never `location`) so tests pass plain strings.
 *
 * Example candidate page: https://hire.lever.co/candidates/7f1f5c2e-3c1b-4d6e-9a53-0f6f3f6c2a10
 * Example list view (ignored): https://hire.lever.co/candidates?stage=...
 * Emulator candidate page: http://127.0.0.1:8788/candidates/<uuid>
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Hosts treated as Lever Hire: any *.lever.co, plus loopback for the emulator and tests. */
export function isLeverHost(url: URL): boolean {
  if (url.protocol === 'https:' && (url.hostname === 'lever.co' || url.hostname.endsWith('.lever.co'))) return true;
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
}

function toUrl(input: string | URL): URL | null {
  if (input instanceof URL) return input;
  try {
    return new URL(input);
  } catch {
    return null;
  }
}

/** The opportunity id of a candidate profile page, or null for list views, other routes and other sites. */
export function parseOpportunityId(input: string | URL): string | null {
  const url = toUrl(input);
  if (!url || !isLeverHost(url)) return null;
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'candidates' || !parts[1]) return null;
  return UUID.test(parts[1]) ? parts[1].toLowerCase() : null;
}

/** The posting id of a Lever posting page (`/jobs/postings/<id>` or `/jobs/postings/edit/<id>`), else null. */
export function parsePostingId(input: string | URL): string | null {
  const url = toUrl(input);
  if (!url || !isLeverHost(url)) return null;
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'jobs' || parts[1] !== 'postings') return null;
  const id = parts[2] === 'edit' ? parts[3] : parts[2];
  return id && UUID.test(id) ? id.toLowerCase() : null;
}

export type PageContext =
  | { kind: 'candidate'; opportunityId: string; url: string }
  | { kind: 'posting'; postingId: string; url: string }
  | { kind: 'none' };

export function pageContextOf(input: string | undefined): PageContext {
  if (!input) return { kind: 'none' };
  const opportunityId = parseOpportunityId(input);
  if (opportunityId) return { kind: 'candidate', opportunityId, url: input };
  const postingId = parsePostingId(input);
  if (postingId) return { kind: 'posting', postingId, url: input };
  return { kind: 'none' };
}
