import { z } from 'zod';

/**
 * The plain text of a Lever posting, as the job-description check reads it: title, description, each list (heading
 * line, then one "- item" line per <li>), closing and salary description. Finding offsets are offsets into exactly
 * this string, so callers must highlight on this text, not on Lever's HTML.
 */

const PostingTextSourceSchema = z.looseObject({
  text: z.string().nullish(),
  content: z
    .looseObject({
      description: z.string().nullish(),
      descriptionHtml: z.string().nullish(),
      lists: z.array(z.looseObject({ text: z.string().nullish(), content: z.string().nullish() })).nullish(),
      closing: z.string().nullish(),
      closingHtml: z.string().nullish(),
    })
    .nullish(),
  salaryDescription: z.string().nullish(),
  salaryRange: z.unknown().optional(),
  workplaceType: z.string().nullish(),
});

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  hellip: '…',
  bull: '•',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** HTML to readable text: block elements become line breaks, list items become "- " lines. Plain text passes through. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(?:p|div|ul|ol|h[1-6]|tr|blockquote)>/gi, '\n')
    .replace(/<(?:p|div|ul|ol|h[1-6]|tr|blockquote)\b[^>]*>/gi, '\n')
    .replace(/<\/?[a-z][^>]*>/gi, '');
  return decodeEntities(text)
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export type JdCheckInput = { text: string; salaryRange?: unknown; workplaceType?: string | null };

export function postingToText(posting: unknown): string {
  const p = PostingTextSourceSchema.parse(posting);
  const parts: string[] = [];
  if (p.text) parts.push(p.text.trim());
  const description = p.content?.description || p.content?.descriptionHtml;
  if (description) parts.push(htmlToText(description));
  for (const list of p.content?.lists ?? []) {
    const items = htmlToText(list.content ?? '');
    // Lever list content is a run of <li>; plain content without bullets is kept as its own lines.
    parts.push([list.text?.trim(), items].filter(Boolean).join('\n'));
  }
  const closing = p.content?.closing || p.content?.closingHtml;
  if (closing) parts.push(htmlToText(closing));
  if (p.salaryDescription) parts.push(htmlToText(p.salaryDescription));
  return parts.filter((part) => part.length > 0).join('\n\n');
}

/** Everything the check needs from a Lever posting: the text plus the structured salary and workplace fields. */
export function postingToCheckInput(posting: unknown): JdCheckInput {
  const p = PostingTextSourceSchema.parse(posting);
  return { text: postingToText(posting), salaryRange: p.salaryRange, workplaceType: p.workplaceType ?? null };
}
