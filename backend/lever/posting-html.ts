/**
 * A posting description as Lever takes it: `content.descriptionHtml` (docs/lever-api.md §6, postings). Lever allows
 * only div, p, span, br, b, i, s, u and a, with the attributes class, href and style (font-size 10/14/18/24/32px). The
 * input is what a recruiter or the rewrite produced: plain text, or text with some of those tags. Everything else is
 * escaped or dropped, so nothing the model or a pasted text holds can become markup Lever did not promise to show.
 *
 * One pass over the input with indexOf (no backtracking regex over the text): linear in its length.
 */

const ALLOWED = new Set(['div', 'p', 'span', 'br', 'b', 'i', 's', 'u', 'a']);
const BLOCK = new Set(['div', 'p', 'br']);
/** Elements whose content is dropped with them (never shown as text either). */
const DROP_CONTENT = new Set(['script', 'style', 'template', 'iframe', 'object', 'textarea', 'title', 'head']);
const FONT_SIZES = new Set(['10px', '14px', '18px', '24px', '32px']);
/** A tag longer than this is not markup anyone typed on purpose: it is shown as text. */
const MAX_TAG = 1000;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    let cp: number | undefined;
    if (name[0] === '#')
      cp = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    else return NAMED[name.toLowerCase()] ?? whole;
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '';
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const escapeText = (text: string, lineBreaks: boolean): string => {
  const escaped = escapeHtml(decodeEntities(text));
  return lineBreaks ? escaped.replace(/\r?\n/g, '<br>') : escaped;
};

function safeHref(value: string): string | null {
  const v = decodeEntities(value).trim();
  if (!/^(?:https?:\/\/|mailto:)/i.test(v)) return null;
  try {
    return new URL(v).toString();
  } catch {
    return null;
  }
}

function attributes(name: string, raw: string): string {
  const out: string[] = [];
  const re = /([a-zA-Z][a-zA-Z-]{0,30})\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of raw.matchAll(re)) {
    const attr = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    if (attr === 'href' && name === 'a') {
      const href = safeHref(value);
      if (href) out.push(`href="${escapeHtml(href)}"`);
    } else if (attr === 'class') {
      const classes = value.split(/\s+/).filter((c) => /^[\w-]{1,60}$/.test(c));
      if (classes.length) out.push(`class="${classes.join(' ')}"`);
    } else if (attr === 'style') {
      const size = /^\s*font-size\s*:\s*(\d{2}px)\s*;?\s*$/i.exec(decodeEntities(value))?.[1]?.toLowerCase();
      if (size && FONT_SIZES.has(size)) out.push(`style="font-size: ${size}"`);
    }
  }
  return out.length ? ` ${out.join(' ')}` : '';
}

/**
 * Sanitises one fragment: allowed tags are rebuilt (attributes filtered, nesting balanced), other tags are dropped
 * (the text inside them stays, except for script-like elements), comments vanish, text is escaped. With
 * `lineBreaks`, newlines in text become <br>.
 */
function sanitize(input: string, lineBreaks: boolean): string {
  let out = '';
  const open: string[] = [];
  let i = 0;
  let dropping: string | null = null;
  // Next '>' at or after the current position, found once per stretch: every '<' reuses it, which keeps a text
  // full of '<' and no '>' linear.
  let gtAt = -2;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    const textEnd = lt < 0 ? input.length : lt;
    if (textEnd > i) {
      if (!dropping) out += escapeText(input.slice(i, textEnd), lineBreaks);
      i = textEnd;
      continue;
    }
    // input[i] === '<'
    if (input.startsWith('<!--', i)) {
      const end = input.indexOf('-->', i + 4);
      i = end < 0 ? input.length : end + 3;
      continue;
    }
    if (gtAt !== -1 && gtAt <= i) gtAt = input.indexOf('>', i + 1);
    const gt = gtAt;
    const m =
      gt < 0 || gt - i > MAX_TAG ? null : /^<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>$/.exec(input.slice(i, gt + 1));
    if (!m) {
      if (!dropping) out += '&#60;';
      i++;
      continue;
    }
    i = gt + 1;
    const closing = m[1] === '/';
    const name = (m[2] ?? '').toLowerCase();
    if (dropping) {
      if (closing && name === dropping) dropping = null;
      continue;
    }
    if (DROP_CONTENT.has(name)) {
      if (!closing && !/\/\s*$/.test(m[3] ?? '')) dropping = name;
      continue;
    }
    if (!ALLOWED.has(name)) continue;
    if (name === 'br') {
      out += '<br>';
      continue;
    }
    if (!closing) {
      out += `<${name}${attributes(name, m[3] ?? '')}>`;
      open.push(name);
      continue;
    }
    const at = open.lastIndexOf(name);
    if (at < 0) continue; // a stray closing tag
    while (open.length > at) out += `</${open.pop()}>`;
  }
  while (open.length) out += `</${open.pop()}>`;
  return out;
}

function hasBlockTag(input: string): boolean {
  const re = /<\/?([a-zA-Z]+)/g;
  for (const m of input.matchAll(re)) if (BLOCK.has((m[1] ?? '').toLowerCase())) return true;
  return false;
}

/**
 * The `content.descriptionHtml` to send for a description. HTML with block structure (div, p, br) keeps its
 * structure; anything else is read as text: each blank-line-separated paragraph becomes a <p>, single newlines <br>.
 */
export function descriptionToLeverHtml(description: string): string {
  const text = description.replace(/\r\n?/g, '\n').trim();
  if (!text) return '';
  if (hasBlockTag(text)) return sanitize(text, false);
  return text
    .split(/\n[ \t]*\n+/)
    .map((para) => para.trim())
    .filter(Boolean)
    .map((para) => `<p>${sanitize(para, true)}</p>`)
    .join('');
}
