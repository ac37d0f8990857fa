import type { Provenance } from '../../utils/contracts/ai.ts';
import { hashInput } from '../ai/provenance.ts';
import { type OfferCheck, runChecks } from './checks.ts';
import { type LetterFields, letterFields } from './letter-fields.ts';
import type { OfferData } from './lever-data.ts';
import type { ParagraphWriter } from './paragraphs.ts';
import { type OfferTemplate, renderTemplate } from './template.ts';

/**
 * One offer letter from one template: every number, date and name from Lever's fields (letter-fields.ts), the
 * welcome and role summary from the paragraph writer, then the checks. Pure apart from the writer.
 */
export type DraftedLetter = {
  letter: string;
  fields: LetterFields;
  checks: OfferCheck[];
  provenance: Provenance;
};

export type DraftOptions = {
  now: Date;
  holidays: readonly string[];
  justification?: string | null;
};

export async function draftLetter(
  data: OfferData,
  template: OfferTemplate,
  writer: ParagraphWriter,
  opts: DraftOptions,
): Promise<DraftedLetter> {
  const fields = letterFields(data);
  const needsParagraphs = template.placeholders.some((p) => p === 'welcome' || p === 'role_summary');
  const paragraphs = needsParagraphs ? await writer.write(data) : null;
  const values: Record<string, string> = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.value]));
  if (paragraphs) {
    values.welcome = paragraphs.welcome;
    values.role_summary = paragraphs.roleSummary;
  }
  const letter = renderTemplate(template, values);
  const checks = recheck(data, template, letter, fields, opts);
  const provenance: Provenance = paragraphs?.provenance ?? {
    provider: 'local',
    model: writer.info().model,
    version: 'template-only',
    promptVersion: 'offer-template-1',
    inputHash: hashInput({ template: template.body, fields: values }),
    latencyMs: 0,
    createdAt: opts.now.toISOString(),
  };
  return { letter, fields, checks, provenance };
}

/** The checks for a letter text (a draft or an edited version) against the same Lever data. */
export function recheck(
  data: OfferData,
  template: OfferTemplate,
  letter: string,
  fields: LetterFields,
  opts: DraftOptions,
): OfferCheck[] {
  return runChecks({
    data,
    template,
    letter,
    fields,
    now: opts.now,
    holidays: opts.holidays,
    justification: opts.justification ?? null,
  });
}
