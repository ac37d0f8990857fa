import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { JdFinding } from '../../utils/contracts/fairness.ts';
import { finding, normalizeWord, overlaps, type Span, type Token, tokenize } from './text-match.ts';

/**
 * Exclusionary and non-inclusive phrases from retext-equality (the data behind the `alex` linter, MIT), filtered for
 * job ads. retext-equality was written for general English prose, so used as is it flags the words every job ad needs
 * ("master's degree", "women and minorities are encouraged to apply", "maternity leave", "invalid input").
 *
 * The filter, in two steps:
 * 1. Rule files: kept gender, ablist, race, lgbtq, condescending, misc. Dropped suicide ("hang out", "commit"),
 *    press ("islamist": newsroom guidance) and slogans (political), which do not describe jobs.
 * 2. Trigger words: dropped the words in DROPPED_TRIGGERS below, each either a common innocent job-ad word or a word
 *    that inclusive job ads use on purpose (EEO statements, benefits). Everything else in the kept files stays.
 */

const RULE_FILES = ['gender', 'ablist', 'race', 'lgbtq', 'condescending', 'misc'] as const;

export const DROPPED_TRIGGERS: ReadonlyMap<string, string> = new Map([
  // Degrees, roles and technical words.
  ['master', '"master\'s degree", "master data"'],
  ['masters', '"Masters in ..."'],
  ['invalid', 'technical word ("invalid input")'],
  ['disabled', 'EEO statements and technical use ("feature disabled")'],
  ['special', '"special projects"'],
  ['challenged', 'common verb use ("challenged assumptions")'],
  ['dummy', 'technical word'],
  ['add', '"ADD" would match every "add"'],
  ['primitive', 'programming term'],
  ['bi', '"BI" = business intelligence'],
  ['spade', 'rare, and "call a spade a spade" is flagged elsewhere'],
  ['sane', '"sane defaults"'],
  ['asylum', 'legal/immigration term'],
  ['bugreport', 'technical word'],
  ['sophisticated culture', 'too broad for ads'],
  ['sophisticated technology', '"sophisticated technology" is a normal ad phrase'],
  ['host', 'gender-neutral ("host events", "hosted services")'],
  ['hosts', 'gender-neutral'],
  ['actor', 'gender-neutral; "threat actor"'],
  ['actors', 'gender-neutral'],
  ['steward', 'gender-neutral ("data steward")'],
  ['stewards', 'gender-neutral'],
  ['waiter', 'gender-neutral job title'],
  ['waiters', 'gender-neutral job title'],
  ['janitor', 'gender-neutral job title'],
  ['janitors', 'gender-neutral job title'],
  ['hero', 'gender-neutral'],
  ['heroes', 'gender-neutral'],
  ['alumni', 'gender-neutral in use'],
  ['alumnus', 'degree context'],
  ['alumna', 'degree context'],
  ['alumnae', 'degree context'],
  ['fellow', '"fellow engineers"'],
  ['fellowship', 'a programme name'],
  ['pop', '"pop-up", "pop culture"'],
  // Words inclusive ads use deliberately.
  ['women', 'EEO statements ("we encourage women to apply")'],
  ['woman', 'EEO statements'],
  ['men', 'EEO statements'],
  ['man', 'only flagged inside phrases such as "man the phones"'],
  ['maternity', 'benefits ("maternity leave")'],
  ['paternity', 'benefits'],
  ['maternal', 'benefits'],
  ['paternal', 'benefits'],
  ['latino', 'EEO self-identification options'],
  ['latina', 'EEO self-identification options'],
  ['females', 'EEO statements'],
  ['males', 'EEO statements'],
  // Condescending words that are mostly harmless filler in ads.
  ['just', 'filler word'],
  ['simple', '"simple" describes products'],
  ['simply', 'filler word'],
  ['easy', '"easy to use"'],
  ['easily', 'filler word'],
  ['clearly', '"communicate clearly"'],
]);

const RuleSchema = z.object({
  type: z.enum(['basic', 'or']),
  inconsiderate: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.string())]),
  considerate: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.string())]).optional(),
  condition: z.string().optional(),
  note: z.string().optional(),
  source: z.union([z.string(), z.array(z.string())]).optional(),
  apostrophe: z.boolean().optional(),
});
type Rule = z.infer<typeof RuleSchema>;

type Phrase = { phrase: string; file: string; rule: Rule };

function words(value: Rule['inconsiderate'] | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value;
  return Object.keys(value);
}

function loadPhrases(): Phrase[] {
  const phrases: Phrase[] = [];
  for (const file of RULE_FILES) {
    const raw: unknown = parseYaml(
      readFileSync(new URL(`./data/retext-equality/${file}.yml`, import.meta.url), 'utf8'),
    );
    for (const rule of z.array(RuleSchema).parse(raw)) {
      for (const phrase of words(rule.inconsiderate)) {
        if (!DROPPED_TRIGGERS.has(phrase.toLowerCase())) phrases.push({ phrase, file, rule });
      }
    }
  }
  return phrases;
}

/**
 * A phrase as words: `*` matches any one word (retext-equality's wildcard); a word written with a final dot
 * ("mrs.", "o.c.d.") needs the dot in the text too, so "miss." does not fire on "don't miss out".
 */
type Pattern = { p: Phrase; words: Array<{ word: string; dot: boolean }> };

const PATTERNS_BY_FIRST = new Map<string, Pattern[]>();
for (const p of loadPhrases()) {
  const ws = p.phrase
    .trim()
    .split(/[\s-]+/)
    .map((w) => ({ word: normalizeWord(w.replace(/\.$/, '')), dot: w.endsWith('.') }));
  const first = ws[0]?.word;
  if (!first || first === '*') continue;
  const list = PATTERNS_BY_FIRST.get(first) ?? [];
  list.push({ p, words: ws });
  PATTERNS_BY_FIRST.set(first, list);
}

/** Phrase words may be separated only by spaces or hyphens in the text ("man-hours", "man  hours"). */
const GAP = /^[\s-]+$/;

function matchAt(text: string, tokens: Token[], i: number, pattern: Pattern): Span | null {
  let end = -1;
  for (let k = 0; k < pattern.words.length; k++) {
    const token = tokens[i + k];
    const want = pattern.words[k]!;
    if (!token) return null;
    if (k > 0 && !GAP.test(text.slice(tokens[i + k - 1]!.end, token.start))) return null;
    if (want.word !== '*' && want.word !== token.lower) return null;
    end = token.end;
    if (want.dot) {
      if (text[token.end] !== '.') return null;
      end = token.end + 1;
    }
  }
  return { start: tokens[i]!.start, end };
}

function suggestionFor(p: Phrase): string {
  // "it" is retext's alternative for objects; a job ad always talks about a person.
  const alternatives = words(p.rule.considerate)
    .filter((a) => a !== 'it')
    .slice(0, 4);
  const base = alternatives.length > 0 ? `Use ${alternatives.map((a) => `"${a}"`).join(', ')} instead` : 'Rephrase';
  return p.rule.condition ? `${base} (${p.rule.condition})` : base;
}

function reasonFor(p: Phrase): string {
  if (p.rule.note) return p.rule.note;
  if (p.file === 'gender') return 'Gendered term: a job ad addresses every applicant';
  return `May be exclusionary (${p.file} terms)`;
}

export function findExclusionaryPhrases(text: string): JdFinding[] {
  const tokens = tokenize(text);
  const hits: Array<Span & { p: Phrase }> = [];
  for (let i = 0; i < tokens.length; i++) {
    // Longest phrase starting at this word wins: "man the phones" rather than a shorter rule.
    let best: (Span & { p: Phrase }) | null = null;
    for (const pattern of PATTERNS_BY_FIRST.get(tokens[i]!.lower) ?? []) {
      const span = matchAt(text, tokens, i, pattern);
      if (span && (!best || span.end > best.end)) best = { ...span, p: pattern.p };
    }
    if (best) hits.push(best);
  }
  // A phrase hides shorter phrases inside it ("cleaning lady" hides "lady").
  hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: typeof hits = [];
  for (const hit of hits) if (!kept.some((k) => overlaps(k, hit))) kept.push(hit);
  return kept.map(({ p, ...span }) =>
    finding(text, span, {
      category: 'exclusionary',
      reason: reasonFor(p),
      source: `retext-equality (MIT), ${p.file}.yml${p.rule.source ? `; ${[p.rule.source].flat().join(', ')}` : ''}`,
      suggestion: suggestionFor(p),
    }),
  );
}
