import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { replaceRunStartMatches } from '../ai/linear-match.ts';

/**
 * Counterfactual copies of a resume: the same text with the candidate's name, gendered pronouns and a few gendered
 * words (titles, fraternity/sorority, men's/women's teams) replaced to signal another perceived gender and
 * ethnicity. Everything else stays byte-identical, so any score difference between copies comes from those signals.
 */

const NameGroupSchema = z.object({
  id: z.string(),
  perceivedGender: z.enum(['female', 'male']),
  perceivedEthnicity: z.string(),
  given: z.array(z.string().min(1)).min(1),
  family: z.array(z.string().min(1)).min(1),
});
export type NameGroup = z.infer<typeof NameGroupSchema>;

const namesFile = z
  .object({ source: z.string(), groups: z.array(NameGroupSchema).min(2) })
  .parse(JSON.parse(readFileSync(new URL('./data/names.json', import.meta.url), 'utf8')));

export const NAME_GROUPS: readonly NameGroup[] = namesFile.groups;
export const NAMES_SOURCE = namesFile.source;

export type NameVariant = { group: string; gender: 'female' | 'male'; given: string; family: string };

/** The first `perGroup` names of each group, pairing the i-th given name with the i-th surname. Deterministic. */
export function nameVariants(perGroup: number, groups: readonly NameGroup[] = NAME_GROUPS): NameVariant[] {
  return groups.flatMap((g) =>
    Array.from({ length: Math.min(perGroup, g.given.length) }, (_, i) => ({
      group: g.id,
      gender: g.perceivedGender,
      given: g.given[i]!,
      family: g.family[i % g.family.length]!,
    })),
  );
}

export type DetectedName = { given: string; family: string | null; parts: string[] };

const NAME_LINE = /^\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){1,3}$/u;

/** The candidate's name from the `name` field, else from a first line that looks like a name ("Jane Q. Doe"). */
export function detectName(resume: { text: string; name?: string | undefined }): DetectedName | null {
  const candidate =
    resume.name?.trim() ||
    resume.text
      .split('\n')
      .map((l) => l.replace(/^#+\s*|^name:\s*/i, '').trim())
      .find((l) => l.length > 0);
  if (!candidate) return null;
  if (!resume.name?.trim() && !NAME_LINE.test(candidate)) return null;
  const parts = candidate.split(/\s+/).filter((p) => p.length > 1 || /\p{L}/u.test(p));
  const given = parts[0];
  if (!given) return null;
  return { given, family: parts.length > 1 ? parts.at(-1)! : null, parts };
}

/** Gendered words and their counterparts, lower case. `her` is handled separately (object vs possessive). */
const TO_FEMALE: Record<string, string> = {
  he: 'she',
  him: 'her',
  himself: 'herself',
  fraternity: 'sorority',
  fraternities: 'sororities',
  "men's": "women's",
  "boys'": "girls'",
  chairman: 'chairwoman',
  sportsman: 'sportswoman',
  brotherhood: 'sisterhood',
};
const TO_MALE: Record<string, string> = {
  she: 'he',
  hers: 'his',
  herself: 'himself',
  sorority: 'fraternity',
  sororities: 'fraternities',
  "women's": "men's",
  "girls'": "boys'",
  chairwoman: 'chairman',
  sportswoman: 'sportsman',
  sisterhood: 'brotherhood',
};
/** Every word the rewrite may put in or take out: a scorer that ignores these and the names is blind by design. */
export const GENDERED_TERMS: readonly string[] = [
  ...new Set([
    ...Object.keys(TO_FEMALE),
    ...Object.values(TO_FEMALE),
    ...Object.keys(TO_MALE),
    ...Object.values(TO_MALE),
    'her',
    'his',
    'mr',
    'ms',
    'mrs',
    'miss',
  ]),
];

/** Courtesy titles, only in title shape (capitalised, before a capitalised name), so "MS Office" stays. */
const TITLE = /(?<![\p{L}\p{N}])(Mr|Mrs|Ms|Miss)(\.?)(?=\s+\p{Lu})/gu;

/**
 * Given or family names that are also ordinary capitalised words (months, verbs, nouns at a sentence start). A
 * standalone occurrence is left alone, so "May 2020" is not rewritten; the full name is still replaced.
 */
const AMBIGUOUS_NAME_PARTS = new Set(
  'may june april august will grant chase bill mark rose amber summer hunter page young long white black brown green king rich price bell cook baker hill wood banks'.split(
    ' ',
  ),
);

function matchCase(template: string, word: string): string {
  if (template.length > 1 && template === template.toUpperCase() && template !== template.toLowerCase())
    return word.toUpperCase();
  if (template[0] && template[0] === template[0].toUpperCase() && template[0] !== template[0].toLowerCase()) {
    return word[0]!.toUpperCase() + word.slice(1);
  }
  return word.toLowerCase();
}

const EMAIL = /[\w.+-]+@[\w.-]+/i;
const EMAIL_CHAR = /[\w.+-]/;
const PROFILE_URL = /(?:linkedin\.com\/in|github\.com)\/[\w.-]+/i;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
/** Words after which "her" is an object ("him"), not a possessive ("his"). */
const AFTER_OBJECT = new Set([
  'and',
  'or',
  'to',
  'in',
  'on',
  'at',
  'for',
  'with',
  'as',
  'from',
  'by',
  'the',
  'a',
  'an',
  'that',
  'which',
  'who',
  'when',
  'if',
  'but',
]);

function swapGender(text: string, gender: 'female' | 'male'): string {
  const map = gender === 'female' ? TO_FEMALE : TO_MALE;
  const words = Object.keys(map).sort((a, b) => b.length - a.length);
  let out = text.replace(new RegExp(`${B}(${words.map(esc).join('|').replace(/'/g, "['’]")})${E}`, 'giu'), (m) => {
    const repl = map[m.toLowerCase().replace(/’/g, "'")];
    return repl ? matchCase(m, m.includes('’') ? repl.replace(/'/g, '’') : repl) : m;
  });
  out = out.replace(TITLE, (_m, _title: string, dot: string) => `${gender === 'female' ? 'Ms' : 'Mr'}${dot}`);
  if (gender === 'female') {
    // "his" is a determiner ("his team" -> "her team") or a pronoun ("the idea was his" -> "hers").
    out = out.replace(new RegExp(`${B}his${E}(\\s*)(\\p{L}*)`, 'giu'), (m, space: string, next: string) => {
      const pronoun = m.slice(0, 3);
      const possessive = next.length > 0 && !AFTER_OBJECT.has(next.toLowerCase());
      return `${matchCase(pronoun, possessive ? 'her' : 'hers')}${space}${next}`;
    });
  } else {
    out = out.replace(new RegExp(`${B}her${E}(\\s*)(\\p{L}*)`, 'giu'), (m, space: string, next: string) => {
      const pronoun = m.slice(0, 3);
      const possessive = next.length > 0 && !AFTER_OBJECT.has(next.toLowerCase());
      return `${matchCase(pronoun, possessive ? 'his' : 'him')}${space}${next}`;
    });
  }
  return out;
}

function replaceName(text: string, from: string, to: string): string {
  // As written, capitalised and upper-case forms as words; lower case only inside emails and profile URLs
  // ("jane.doe@"), where a lower-case word is unambiguous.
  const capitalised = from[0]!.toUpperCase() + from.slice(1).toLowerCase();
  const forms = [...new Set([from, capitalised, from.toUpperCase()])].map(esc).join('|');
  const out = text.replace(new RegExp(`${B}(${forms})${E}`, 'gu'), (m) => matchCase(m, to));
  const lower = new RegExp(`${B}${esc(from.toLowerCase())}${E}`, 'gu');
  const inToken = (token: string) => token.replace(lower, to.toLowerCase());
  // `EMAIL|PROFILE_URL`, with e-mails tried only from the start of each run of local-part characters
  // (linear-match.ts: "aaaa…" without an @ is one scan, not one per offset).
  return replaceRunStartMatches(out, EMAIL, EMAIL_CHAR, inToken, PROFILE_URL);
}

/**
 * The resume as if written by someone named `variant`: full name, given name and surname replaced; middle names
 * dropped with the full name; gendered words switched to the variant's perceived gender. Without a detected name the
 * variant's name becomes the first line, so the scorer still sees a name.
 */
export function makeCounterfactual(text: string, detected: DetectedName | null, variant: NameVariant): string {
  const fullTo = `${variant.given} ${variant.family}`;
  let out = text;
  if (detected) {
    if (detected.parts.length > 1) {
      const full = new RegExp(`${B}${detected.parts.map(esc).join('\\s+')}${E}`, 'giu');
      out = out.replace(full, (m) => matchCase(m, fullTo));
    }
    if (!AMBIGUOUS_NAME_PARTS.has(detected.given.toLowerCase())) out = replaceName(out, detected.given, variant.given);
    if (detected.family && !AMBIGUOUS_NAME_PARTS.has(detected.family.toLowerCase())) {
      out = replaceName(out, detected.family, variant.family);
    }
  } else {
    out = `${fullTo}\n${out}`;
  }
  return swapGender(out, variant.gender);
}
