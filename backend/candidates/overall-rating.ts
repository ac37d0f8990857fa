import type { FeedbackField } from '../lever/index.ts';

/**
 * The overall rating of one Lever feedback form, on Lever's 1–4 scale (strong no hire … strong hire).
 *
 * Lever's overall field is `type: "score-system"` and its VALUE IS THE OPTION TEXT ("3 - Hire"), not a number; in
 * recorded live data it also comes as `type: "score"` with `overall: true` (docs/lever-api.md §4, feedback). A number
 * is still accepted (older exports). The label is the text Lever shows, so a synthesis can count by it.
 */
export type OverallRating = { label: string; value: number };

const DEFAULT_LABELS = ['1 - Strong No Hire', '2 - No Hire', '3 - Hire', '4 - Strong Hire'];
/** Most characters of a label kept: it is shown and counted, never parsed further. */
const MAX_LABEL = 80;

type FieldLike = Pick<FeedbackField, 'type'> & {
  value?: unknown;
  overall?: boolean | null | undefined;
  options?: ReadonlyArray<{ text?: string | null | undefined }> | null | undefined;
  scores?: ReadonlyArray<{ text?: string | null | undefined }> | null | undefined;
};

/** The field carrying the overall rating: the score-system field, else a field flagged `overall: true`. */
export function overallField<F extends FieldLike>(fields: readonly F[] | null | undefined): F | undefined {
  const list = fields ?? [];
  return list.find((f) => f.type === 'score-system') ?? list.find((f) => f.overall === true);
}

function byName(text: string): number | null {
  const t = text
    .toLowerCase()
    .replace(/[^a-z ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (/\bstrong(?:ly)? (?:no|not)\b/.test(t) || /\bdefinitely not\b/.test(t)) return 1;
  if (/\bstrong(?:ly)? (?:yes|hire)\b/.test(t)) return 4;
  if (/\b(?:no|not|don t) hire\b/.test(t) || t === 'no') return 2;
  if (/\bhire\b/.test(t) || t === 'yes') return 3;
  return null;
}

/** Reads one field's value as an overall rating, or null when it holds none. */
export function ratingOfField(field: FieldLike): OverallRating | null {
  const labels = (field.options ?? field.scores ?? []).map((o) => o.text ?? '');
  let v = field.value;
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { text?: unknown }).text === 'string') {
    v = (v as { text: string }).text; // an option object instead of its text
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1 || v > 4) return null;
    return { label: (labels.length === 4 && labels[v - 1]) || (DEFAULT_LABELS[v - 1] as string), value: v };
  }
  if (typeof v !== 'string') return null;
  const label = v.trim().slice(0, MAX_LABEL);
  if (!label) return null;
  const lead = /^([1-4])(?![\d.])/.exec(label);
  if (lead) return { label, value: Number(lead[1]) };
  if (/^\d/.test(label)) return null; // "5 - ...", "0.5": not Lever's scale
  // Custom option texts without a number: their position among four options, else the words.
  const at = labels.length === 4 ? labels.findIndex((l) => l.trim() === label) : -1;
  const value = at >= 0 ? at + 1 : byName(label);
  return value === null ? null : { label, value };
}

/** The overall rating of a form's fields, or null when the form has no (readable) overall field. */
export function overallRating(fields: readonly FieldLike[] | null | undefined): OverallRating | null {
  const field = overallField(fields);
  return field ? ratingOfField(field) : null;
}
