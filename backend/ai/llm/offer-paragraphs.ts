import { z } from 'zod';
import { ProvenanceSchema } from '../../../utils/contracts/ai.ts';
import { LlmOutputError } from '../errors.ts';
import { hasDigits, type OfferParagraphInput, type OfferParagraphs } from '../offer-paragraphs.ts';
import type { OpenAiProvider } from '../openai-provider.ts';
import { type KnownPii, Redactor, restore } from '../redact.ts';

/**
 * The offer letter's free-text paragraphs by an LLM. The model sees the role (title, team) and the posting's
 * responsibilities, redacted, and nothing about the candidate but the placeholder [CANDIDATE_FIRST_NAME]: no name,
 * no salary, no dates. Its answer may hold no digit at all (figures belong to Lever's fields, filled by the
 * template) and no placeholder other than that one; otherwise it is rejected and the local engine writes them.
 */
export const OFFER_PARAGRAPHS_LLM_PROMPT_VERSION = 'llm-offer-paragraphs-1';

const OutputSchema = z.object({
  welcome: z.string().describe('Two or three warm sentences welcoming the candidate; no numbers, no dates'),
  roleSummary: z.string().describe('Two or three sentences on what the role involves, from the posting; no numbers'),
});

const SYSTEM = [
  'You write two short paragraphs of a job offer letter for an employer.',
  'welcome: a warm, professional welcome. roleSummary: what the role involves, using only the posting data given.',
  'Address the candidate only as [CANDIDATE_FIRST_NAME] if at all. Never write any number, amount, percentage,',
  'date, salary, bonus, equity or benefit: those are filled in elsewhere from the HR system. Never invent facts',
  'about the candidate. Plain text, no Markdown headings, at most 80 words per paragraph.',
].join(' ');

export async function writeOfferParagraphsLlm(
  provider: OpenAiProvider,
  input: OfferParagraphInput,
  known: KnownPii & { firstName: string },
): Promise<OfferParagraphs> {
  const redactor = new Redactor(known);
  const data = {
    role: { title: redactor.redact(input.jobTitle), team: input.team ? redactor.redact(input.team) : null },
    responsibilities: input.responsibilities.slice(0, 12).map((r) => redactor.redact(r.slice(0, 300))),
    postingExcerpt: redactor.redact(input.description.slice(0, 3000)),
  };
  const map = redactor.redactionMap;
  const fill = (text: string) =>
    restore(text.replace(/\[CANDIDATE_FIRST_NAME\]/g, known.firstName), map)
      .replace(/\s+\n/g, '\n')
      .trim();
  return provider.run({
    capability: 'offer_paragraphs',
    promptVersion: OFFER_PARAGRAPHS_LLM_PROMPT_VERSION,
    output: OutputSchema,
    system: SYSTEM,
    task: 'Write the two paragraphs for the role described by the data.',
    data,
    known,
    result: z.object({
      welcome: z.string().min(1).max(1500),
      roleSummary: z.string().min(1).max(1500),
      provenance: ProvenanceSchema,
    }),
    assemble: (out) => {
      const raw = `${out.welcome}\n${out.roleSummary}`;
      if (hasDigits(raw)) throw new LlmOutputError('Offer paragraphs contain a number; figures must come from Lever');
      if (/\[(?!CANDIDATE_FIRST_NAME\])[A-Z_]+(?:_\d+)?\]/.test(raw)) {
        throw new LlmOutputError('Offer paragraphs contain an unknown placeholder');
      }
      if (/\{\{|\}\}/.test(raw)) throw new LlmOutputError('Offer paragraphs contain template braces');
      const welcome = fill(out.welcome);
      const roleSummary = fill(out.roleSummary);
      if (hasDigits(`${welcome}\n${roleSummary}`)) throw new LlmOutputError('Offer paragraphs restore to a number');
      return { welcome, roleSummary };
    },
  });
}
