import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { JdFinding } from '../../utils/contracts/fairness.ts';
import { contains, finding, matchAll, tokenize } from './text-match.ts';

/**
 * Masculine- and feminine-coded words from Gaucher, Friesen & Kay (2011), Appendix A, matched with the paper's own
 * rules: a trailing `*` accepts any letters, digits or hyphens after the stem (a prefix match that must start at a
 * word start), a word without `*` matches only as a whole word. Case-insensitive.
 * Plus the expanded lists of Kat Matfield's gender-decoder (data/gender-decoder-wordlists.json, MIT): an entry the
 * paper already covers keeps the paper's rule; every other entry is a prefix stem, as gender-decoder matches it.
 */

const StemsFileSchema = z.object({
  source: z.string(),
  masculine: z.array(z.string().min(1)),
  feminine: z.array(z.string().min(1)),
});

const stemsFile = StemsFileSchema.parse(
  JSON.parse(readFileSync(new URL('./data/gaucher-2011-stems.json', import.meta.url), 'utf8')),
);

const DecoderFileSchema = z.object({
  source: z.string(),
  masculine: z.array(z.string().min(1)),
  feminine: z.array(z.string().min(1)),
  non_coded_exceptions: z.array(z.string().min(1)),
});

const decoderFile = DecoderFileSchema.parse(
  JSON.parse(readFileSync(new URL('./data/gender-decoder-wordlists.json', import.meta.url), 'utf8')),
);

export const GAUCHER_SOURCE = stemsFile.source;
export const GENDER_DECODER_SOURCE = decoderFile.source;
const SHORT_SOURCE = 'Gaucher, Friesen & Kay (2011), J. Pers. Soc. Psychol. 101(1), Appendix A';
const DECODER_SHORT_SOURCE = "Kat Matfield's gender-decoder word list (MIT), extending Gaucher, Friesen & Kay (2011)";

type Coding = 'masculine' | 'feminine';
type Stem = { stem: string; coding: Coding; prefix: string; wildcard: boolean; from: 'paper' | 'gender-decoder' };

const PAPER_STEMS: Stem[] = [
  ...stemsFile.masculine.map((stem) => ({ stem, coding: 'masculine' as const })),
  ...stemsFile.feminine.map((stem) => ({ stem, coding: 'feminine' as const })),
].map(({ stem, coding }) => ({
  stem,
  coding,
  wildcard: stem.endsWith('*'),
  prefix: (stem.endsWith('*') ? stem.slice(0, -1) : stem).toLowerCase(),
  from: 'paper' as const,
}));

/** A paper stem already stands for the entry: the same word, or a wildcard stem the entry starts with. */
const paperCovers = (entry: string) =>
  PAPER_STEMS.some((s) => s.prefix === entry || (s.wildcard && entry.startsWith(s.prefix)));

const DECODER_STEMS: Stem[] = [
  ...decoderFile.masculine.map((stem) => ({ stem, coding: 'masculine' as const })),
  ...decoderFile.feminine.map((stem) => ({ stem, coding: 'feminine' as const })),
]
  .map(({ stem, coding }) => ({ stem: `${stem.toLowerCase()}*`, coding, prefix: stem.toLowerCase() }))
  .filter((s) => !paperCovers(s.prefix))
  .map((s) => ({ ...s, wildcard: true, from: 'gender-decoder' as const }));

const STEMS: Stem[] = [...PAPER_STEMS, ...DECODER_STEMS];
const NON_CODED = new Set(decoderFile.non_coded_exceptions.map((w) => w.toLowerCase()));

/** Which stem a matched word belongs to: an exact whole-word stem first, else the longest matching prefix stem. */
function stemOf(word: string): Stem | undefined {
  const lower = word.toLowerCase();
  const exact = STEMS.find((s) => !s.wildcard && s.prefix === lower);
  if (exact) return exact;
  let best: Stem | undefined;
  for (const s of STEMS) {
    if (s.wildcard && lower.startsWith(s.prefix) && (!best || s.prefix.length > best.prefix.length)) best = s;
  }
  return best;
}

/**
 * Words a prefix stem catches that do not carry the trait the paper coded. The paper counted words with text-analysis
 * software, so these are our judgement, stated here so a recruiter can see why a word was not highlighted:
 * - respon*: the feminine trait is "responsive"; "responsibilities", "responsible for", "respond", "response"
 *   describe duties or incident handling. "responsive"/"responsiveness" still count.
 * - compet*: the trait is "competitive"/"competition"; "competent", "competence", "competency" are skills words,
 *   and "competitive salary/pay/benefits" describes the offer, not the person.
 * - commit*: "committee" is an organisation, not a trait. depend*: "dependency" (software), "depending on"
 *   (as in "depending on experience"). connect*: "connectivity", "connector" (technical).
 * - active: "Active Directory" (a product). kind: "kind of", "kinds of". individual*: "individual contributor"
 *   (a job level). objective: "Objective-C" (a language). SharePoint and similar product names contain no stem
 *   at a word start, so the word-start rule already keeps them out; they are listed to keep that promise tested.
 */
export const KNOWN_FALSE_POSITIVES: Array<{ pattern: RegExp; why: string }> = [
  {
    pattern: /(?<![\p{L}\p{N}])respons(?:e|es|ibility|ibilities|ible|ibly)(?![\p{L}\p{N}])/giu,
    why: 'duty, not responsiveness',
  },
  { pattern: /(?<![\p{L}\p{N}])respond(?:s|ed|ing|ent|ents)?(?![\p{L}\p{N}])/giu, why: 'action, not a trait' },
  {
    pattern: /(?<![\p{L}\p{N}])competen(?:t|ce|cy|cies|tly)(?![\p{L}\p{N}])/giu,
    why: 'skill word, not competitiveness',
  },
  {
    pattern:
      /(?<![\p{L}\p{N}])competitive\s+(?:salary|salaries|pay|compensation|benefits|package|rates?|wages?)(?![\p{L}\p{N}])/giu,
    why: 'describes the offer, not the person',
  },
  { pattern: /(?<![\p{L}\p{N}])committees?(?![\p{L}\p{N}])/giu, why: 'organisation, not commitment' },
  {
    pattern: /(?<![\p{L}\p{N}])(?:dependency|dependencies|depending)(?![\p{L}\p{N}])/giu,
    why: 'technical or conditional',
  },
  { pattern: /(?<![\p{L}\p{N}])(?:connectivity|connectors?)(?![\p{L}\p{N}])/giu, why: 'technical term' },
  { pattern: /(?<![\p{L}\p{N}])active\s+directory(?![\p{L}\p{N}])/giu, why: 'product name' },
  { pattern: /(?<![\p{L}\p{N}])kinds?\s+of(?![\p{L}\p{N}])/giu, why: '"kind of", not kindness' },
  { pattern: /(?<![\p{L}\p{N}])individual\s+contributors?(?![\p{L}\p{N}])/giu, why: 'job level' },
  { pattern: /(?<![\p{L}\p{N}])objective-c(?![\p{L}\p{N}])/giu, why: 'programming language' },
  { pattern: /(?<![\p{L}\p{N}])sharepoint(?![\p{L}\p{N}])/giu, why: 'product name' },
  // Stems added from gender-decoder catch these too; they name a thing, not a trait.
  { pattern: /(?<![\p{L}\p{N}])agreements?(?![\p{L}\p{N}])/giu, why: 'a contract, not agreeableness' },
  {
    pattern:
      /(?<![\p{L}\p{N}])(?:shareholders?|shares|share\s+options?|shared\s+(?:drives?|services?|folders?))(?![\p{L}\p{N}])/giu,
    why: 'finance or infrastructure, not sharing',
  },
  { pattern: /(?<![\p{L}\p{N}])feel\s+free(?![\p{L}\p{N}])/giu, why: 'an invitation, not a trait' },
  { pattern: /(?<![\p{L}\p{N}])objectives(?![\p{L}\p{N}])/giu, why: 'goals, not objectivity' },
  {
    pattern:
      /(?<![\p{L}\p{N}])persisten(?:t|ce)\s+(?:storage|volumes?|disks?|layer|queues?|connections?)(?![\p{L}\p{N}])/giu,
    why: 'technical term',
  },
  { pattern: /(?<![\p{L}\p{N}])(?:microsoft\s+)?defender(?![\p{L}\p{N}])/giu, why: 'product name' },
];

const MASCULINE_SUGGESTIONS: Record<string, string> = {
  'compet*': 'Describe the work instead, e.g. "a fast-moving market" or "motivated"',
  'aggress*': 'Use "proactive" or "bold"',
  'domina*': 'Use "leading" or "well established"',
  dominant: 'Use "leading" or "well established"',
  'lead*': 'Pair with collaborative wording, e.g. "guide and support the team"',
  'challeng*': 'Try "interesting problems" or "room to grow"',
  'determin*': 'Try "dedicated" or "motivated"',
  'force*': 'Try "drive" or "bring about"',
  'ambitio*': 'Try "motivated" or "eager to grow"',
  confident: 'Try "clear and well-prepared"',
  'self-confiden*': 'Try "comfortable presenting your ideas"',
  'independen*': 'Try "able to plan your own work"',
  'individual*': 'Try "personal" or "each person"',
  'analy*': 'Keep if the job is analysis; balance with communal wording elsewhere',
  decisive: 'Try "able to make well-reasoned decisions"',
  'decision*': 'Keep if needed; balance with communal wording elsewhere',
  'assert*': 'Try "clear" or "confident in sharing ideas"',
  'athlet*': 'Remove unless physical fitness is a real requirement',
  headstrong: 'Try "persistent"',
  'hierarch*': 'Describe the structure neutrally, e.g. "reporting lines"',
};

function suggestionFor(stem: Stem): string {
  if (stem.coding === 'feminine') {
    return 'No change needed if it describes the job: Gaucher et al. found feminine wording did not put men off. Keep the ad balanced overall.';
  }
  return (
    MASCULINE_SUGGESTIONS[stem.stem] ??
    'Consider a neutral or communal alternative; masculine-coded wording made women find the job less appealing (Gaucher et al. 2011, Study 3).'
  );
}

export function findGenderedWords(text: string): JdFinding[] {
  const excluded = KNOWN_FALSE_POSITIVES.flatMap(({ pattern }) => matchAll(text, pattern));
  const out: JdFinding[] = [];
  // Hyphenated compounds are one word, as in the paper ("self-confident"; "non-competitive" does not start with
  // "compet", so it is not counted).
  for (const hit of tokenize(text, true)) {
    const stem = stemOf(hit.text);
    if (!stem || NON_CODED.has(hit.lower) || excluded.some((fp) => contains(fp, hit))) continue;
    const list = stem.from === 'paper' ? "the study's word list" : "gender-decoder's expanded word list";
    out.push(
      finding(text, hit, {
        category: stem.coding === 'masculine' ? 'masculine-coded' : 'feminine-coded',
        reason: `${stem.coding === 'masculine' ? 'Masculine' : 'Feminine'}-coded: matches the stem "${stem.stem}" from ${list}`,
        source: stem.from === 'paper' ? SHORT_SOURCE : DECODER_SHORT_SOURCE,
        suggestion: suggestionFor(stem),
      }),
    );
  }
  return out;
}
