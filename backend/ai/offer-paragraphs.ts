import type { Provenance } from '../../utils/contracts/ai.ts';
import { hashInput, localProvenance } from './provenance.ts';

/**
 * The free-text paragraphs of an offer letter (a welcome, and a summary of the role from the posting), written by
 * the local engine: fixed sentences plus the posting's own "what you will do" items. These paragraphs never hold
 * a number, a date or a name: every figure in a letter comes from a Lever field (offers/letter-fields.ts), so any
 * posting sentence or list item with a digit is left out, and the candidate is addressed by the template, not here.
 */

export const OFFER_PARAGRAPHS_PROMPT_VERSION = 'offer-paragraphs-local-1';

export type OfferParagraphInput = {
  jobTitle: string;
  team: string | null;
  /** Posting text, plain: description, then each list as "heading: item; item". */
  description: string;
  /** Items of the posting's "what you will do" / responsibilities list. */
  responsibilities: string[];
};

export type OfferParagraphs = { welcome: string; roleSummary: string; provenance: Provenance };

/** Text the engine may quote from a posting: bounded, single-line, digit-free. */
const MAX_INPUT_CHARS = 20_000;
const MAX_ITEMS = 3;
const MAX_ITEM_CHARS = 200;

export function hasDigits(text: string): boolean {
  return /\p{Nd}/u.test(text);
}

function cleanItem(s: string): string | null {
  const t = s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;:,]+$/, '');
  if (t.length < 8 || t.length > MAX_ITEM_CHARS || hasDigits(t)) return null;
  return t;
}

function lowerFirst(s: string): string {
  // Keep acronyms ("API design") and proper nouns that start with two capitals as they are.
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join('; ')}; and ${items.at(-1)}`;
}

/** Sentences of the description without digits, at most `n`. Linear in the (bounded) input. */
function digitFreeSentences(text: string, n: number): string[] {
  const out: string[] = [];
  for (const s of text.slice(0, MAX_INPUT_CHARS).split(/(?<=[.!?])\s+/)) {
    const t = s.replace(/\s+/g, ' ').trim();
    if (t.length >= 20 && t.length <= 400 && !hasDigits(t) && /[.!?]$/.test(t)) out.push(t);
    if (out.length >= n) break;
  }
  return out;
}

export function writeOfferParagraphsLocal(input: OfferParagraphInput, now: () => Date): OfferParagraphs {
  const startedAt = performance.now();
  const team = input.team?.trim();
  const welcome =
    `On behalf of everyone${team ? ` in the ${team} team` : ''} who met you during the interviews, we are delighted ` +
    'to offer you a place with us. We were impressed by what you shared with us, and we are excited about what we ' +
    'will build together.';
  const items = input.responsibilities
    .slice(0, 20)
    .map(cleanItem)
    .filter((x): x is string => x !== null)
    .slice(0, MAX_ITEMS)
    .map(lowerFirst);
  let roleSummary: string;
  if (items.length > 0) {
    roleSummary = `As ${article(input.jobTitle)} ${input.jobTitle}, you will ${joinList(items)}.`;
  } else {
    const sentences = digitFreeSentences(input.description, 2);
    roleSummary = sentences.length
      ? sentences.join(' ')
      : `As ${article(input.jobTitle)} ${input.jobTitle}, you will play a central part in the work of the team.`;
  }
  // A job title is a Lever field; if it holds a digit ("Engineer II" does not, "Level 3" does), leave it out here.
  if (hasDigits(roleSummary)) {
    roleSummary = 'You will play a central part in the work of the team, as described in the posting.';
  }
  return {
    welcome,
    roleSummary,
    provenance: localProvenance({
      promptVersion: OFFER_PARAGRAPHS_PROMPT_VERSION,
      inputHash: hashInput(input),
      startedAt,
      now,
    }),
  };
}

function article(word: string): string {
  return /^[aeiou]/i.test(word.trim()) ? 'an' : 'a';
}
