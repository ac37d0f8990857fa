import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PARAGRAPH_SLOTS, type ParagraphSlot, STANDARD_FIELDS } from './letter-fields.ts';

/**
 * Offer-letter templates: Markdown with named fields in double braces (`{{salary}}`), optionally preceded by a
 * front-matter block (`---` … `---`) naming the template and the currency and salary interval it is written for.
 * Field names are the standard ones (letter-fields.ts), any `custom_*` offer field, or a paragraph slot
 * (`{{welcome}}`, `{{role_summary}}`) that the engine writes. Anything else is refused when the template is added,
 * so a typo never reaches a candidate.
 */

export const MAX_TEMPLATE_CHARS = 50_000;
const MAX_PLACEHOLDERS = 200;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const NAME = /^[a-z][a-z0-9_]{0,63}$/;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const FrontMatterSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'currency must be an ISO code such as USD')
      .optional(),
    interval: z.string().min(1).max(50).optional(),
  })
  .strict();

export type OfferTemplate = {
  name: string;
  /** The Markdown body (front matter removed). */
  body: string;
  /** Currency / interval the template is written for, when it says. */
  currency: string | null;
  interval: string | null;
  /** Field names used, in order of first use (paragraph slots included). */
  placeholders: string[];
};

export function isParagraphSlot(name: string): name is ParagraphSlot {
  return (PARAGRAPH_SLOTS as readonly string[]).includes(name);
}

export function isKnownField(name: string): boolean {
  return (STANDARD_FIELDS as readonly string[]).includes(name) || name.startsWith('custom_') || isParagraphSlot(name);
}

/** Parses and validates a template; throws TemplateError with a message a template author can act on. */
export function parseTemplate(source: string, fallbackName = 'Untitled template'): OfferTemplate {
  if (source.length > MAX_TEMPLATE_CHARS) {
    throw new TemplateError(`The template is ${source.length} characters; the limit is ${MAX_TEMPLATE_CHARS}.`);
  }
  const text = source.replace(/\r\n/g, '\n');
  let body = text;
  let meta: z.infer<typeof FrontMatterSchema> = {};
  if (text.startsWith('---\n')) {
    const end = text.indexOf('\n---', 4);
    if (end < 0) throw new TemplateError('The front matter starts with "---" but has no closing "---" line.');
    let raw: unknown;
    try {
      raw = parseYaml(text.slice(4, end)) ?? {};
    } catch (e) {
      throw new TemplateError(`The front matter is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    const parsed = FrontMatterSchema.safeParse(raw);
    if (!parsed.success) {
      throw new TemplateError(
        `The front matter is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'front matter'}: ${i.message}`).join('; ')}`,
      );
    }
    meta = parsed.data;
    body = text.slice(text.indexOf('\n', end + 1) + 1);
  }
  if (!body.trim()) throw new TemplateError('The template has no text.');
  const placeholders: string[] = [];
  const unknown: string[] = [];
  let count = 0;
  for (const m of body.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (++count > MAX_PLACEHOLDERS) throw new TemplateError(`More than ${MAX_PLACEHOLDERS} fields in one template.`);
    if (!NAME.test(name) || !isKnownField(name)) {
      if (!unknown.includes(name)) unknown.push(name);
      continue;
    }
    if (!placeholders.includes(name)) placeholders.push(name);
  }
  if (unknown.length) {
    throw new TemplateError(
      `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{{${u}}}`).join(', ')}. Use ${STANDARD_FIELDS.map((f) => `{{${f}}}`).join(', ')}, any {{custom_*}} offer field, or ${PARAGRAPH_SLOTS.map((f) => `{{${f}}}`).join(', ')}.`,
    );
  }
  const stray = /\{\{|\}\}/.exec(body.replace(PLACEHOLDER, ''));
  if (stray) throw new TemplateError('The template has a "{{" or "}}" that is not part of a field like {{salary}}.');
  return {
    name: meta.name ?? fallbackName,
    body,
    currency: meta.currency ?? null,
    interval: meta.interval ?? null,
    placeholders,
  };
}

/** Whether the template asks for a bonus / equity: a field for it, or the word in its text. */
export function templateMentions(t: OfferTemplate, kind: 'bonus' | 'equity'): boolean {
  const re = kind === 'bonus' ? /\bbonus\b/i : /\b(?:equity|stock options?|rsus?)\b/i;
  return t.placeholders.includes(kind) || re.test(t.body.replace(PLACEHOLDER, ' '));
}

/**
 * Fills every field: `values` for Lever fields and paragraph slots; a field without a value becomes
 * "[missing: name]" so the letter cannot pass its checks silently.
 */
export function renderTemplate(t: OfferTemplate, values: Record<string, string>): string {
  return t.body.replace(PLACEHOLDER, (_m, name: string) => values[name] ?? `[missing: ${name}]`);
}

export const DEFAULT_TEMPLATE_PATH = new URL('./templates/default.md', import.meta.url);

let defaultTemplate: OfferTemplate | undefined;

/** The template that ships with Fulcrum (backend/offers/templates/default.md). */
export function loadDefaultTemplate(): OfferTemplate {
  defaultTemplate ??= parseTemplate(readFileSync(DEFAULT_TEMPLATE_PATH, 'utf8'), 'Standard offer letter');
  return defaultTemplate;
}
