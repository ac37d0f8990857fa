/**
 * How the emulator treats a posting description written through the API (`POST /postings/:id` with
 * `content.descriptionHtml`, docs/lever-api.md §6): only the tags Lever documents are accepted, and the plain
 * `content.description` Lever returns next to it is derived from the HTML, as Lever does.
 */

/** Tags Lever's description HTML allows (lists, in `content.lists[].content`, also allow li). */
export const DESCRIPTION_TAGS = new Set(['div', 'p', 'span', 'br', 'b', 'i', 's', 'u', 'a']);

/** The tag names in `html` that Lever does not allow, in order of first appearance. */
export function disallowedTags(html: string, allowed: ReadonlySet<string> = DESCRIPTION_TAGS): string[] {
  const bad = new Set<string>();
  for (const m of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!allowed.has(name)) bad.add(name);
  }
  return [...bad];
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The plain text of description HTML: block ends become newlines, tags go, entities are decoded. */
export function textOfHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(?:p|div)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, n: string) => {
      if (n[0] === '#') {
        const cp = n[1] === 'x' || n[1] === 'X' ? Number.parseInt(n.slice(2), 16) : Number(n.slice(1));
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      }
      return ENTITY[n.toLowerCase()] ?? whole;
    })
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
