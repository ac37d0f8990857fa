import type { Criterion, Rubric } from '../../../utils/contracts/ai.ts';
import type { PostingInput } from '../types.ts';
import { analyzeCriterion, type Concept, type CriterionSpec, conceptsOf, isGeneric } from './criterion-spec.ts';
import { extractCriteria } from './requirements.ts';
import { keysOf } from './resume-profile.ts';
import { tokenize } from './text.ts';

/**
 * A posting prepared for matching: its criteria (recruiter rubric or extracted), what each criterion asks for,
 * and the weighted keyword query used for relevance. Built once per posting and reused for every candidate.
 */
export type CompiledPosting = {
  posting: PostingInput;
  criteria: Criterion[];
  rubricSource: 'extracted' | 'recruiter';
  specs: CriterionSpec[];
  query: Map<string, number>;
  /** What the job is called, minus seniority words: matched against the candidate's role lines. */
  titleConcepts: Concept[];
};

const TITLE_NOISE =
  /^(senior|sr|junior|jr|lead|principal|staff|head|chief|intern|trainee|associate|assistant|i|ii|iii|iv|v|other|all|and|remote|hybrid|contract|w2|c2c|full|part|time)$/;

/** Words every job ad uses whatever the job: they say little about fit, so they count a third. */
const JOB_AD_COMMON = new Set(
  (
    'team teams work working company organization organisation role position candidate candidates job opportunity ' +
    'ensure ensuring provide providing support supporting manage managing management responsible responsibilities ' +
    'duties duty task tasks skill skills ability abilities knowledge experience experienced year years strong ' +
    'excellent good great highly seeking looking join successful ideal individual professional environment ' +
    'various variety multiple high quality effective effectively efficient efficiently time timely detail details ' +
    'communication communicate client clients customer customers employee employees staff department business ' +
    'process processes procedures policy policies standard standards daily regular new including include within ' +
    'across related relevant required requirement requirements preferred plus must need needs well best also other ' +
    'perform performing maintain maintaining develop developing development assist assisting help helping use using ' +
    'understand understanding summary description responsibility level levels'
  ).split(' '),
);
const COMMON_STEMS = new Set([...JOB_AD_COMMON].map((w) => tokenize(w)[0]?.stem ?? w));

function addTerms(query: Map<string, number>, text: string, weight: number): void {
  const tokens = tokenize(text);
  const { perToken } = keysOf(text, tokens);
  tokens.forEach((t, i) => {
    const keys = perToken[i]!;
    for (const k of keys) {
      if (!k.startsWith('§') && isGeneric(t)) continue;
      query.set(k, (query.get(k) ?? 0) + (COMMON_STEMS.has(k) ? weight / 3 : weight));
    }
  });
}

const cache = new WeakMap<PostingInput, Map<string, CompiledPosting>>();

export function compilePosting(posting: PostingInput, rubric?: Rubric): CompiledPosting {
  const key = rubric ? JSON.stringify(rubric.criteria) : '';
  const hit = cache.get(posting)?.get(key);
  if (hit) return hit;
  const criteria = rubric ? rubric.criteria : extractCriteria(posting);
  const raw = new Map<string, number>();
  addTerms(raw, posting.title, 4);
  for (const c of criteria) addTerms(raw, c.text, 2 * Math.min(c.weight, 3));
  addTerms(raw, posting.text, 1);
  // Diminishing returns: a word repeated ten times in a posting is not ten times as important.
  const query = new Map<string, number>();
  for (const [k, w] of raw) query.set(k, Math.log1p(w));
  const compiled: CompiledPosting = {
    posting,
    criteria,
    rubricSource: rubric ? 'recruiter' : 'extracted',
    specs: criteria.map(analyzeCriterion),
    query,
    titleConcepts: conceptsOf(posting.title, tokenize(posting.title), () => true).filter(
      (c) => !TITLE_NOISE.test(c.label),
    ),
  };
  const perPosting = cache.get(posting) ?? new Map<string, CompiledPosting>();
  perPosting.set(key, compiled);
  cache.set(posting, perPosting);
  return compiled;
}
