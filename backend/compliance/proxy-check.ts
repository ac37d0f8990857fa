import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CriterionCheck, ProxyFlag } from '../../utils/contracts/compliance.ts';
import type { PostingInput } from '../ai/types.ts';
import type { Database } from '../store/schema.ts';

/**
 * Proxy check on criteria: a rubric line or posting requirement that names a protected trait or a known stand-in for
 * one (zip or postal code, graduation year or age ranges, "native speaker", school prestige lists, "culture fit",
 * photos, marital or family status) is flagged with the reason and a suggestion before it is saved or scored. The
 * scoring inputs leave flagged criteria out unless a Fulcrum admin confirmed them for that posting (audited): a
 * recruiter sees why, an admin decides, Fulcrum never silently scores on a proxy.
 *
 * Plain word patterns, each a flat alternation anchored on word boundaries (linear in the text), over at most
 * MAX_CHARS characters of a criterion. Tuned to stay quiet on ordinary requirements (tests hold a list of them).
 */

const MAX_CHARS = 2_000;

type Rule = { kind: ProxyFlag['kind']; re: RegExp; reason: string; suggestion: string };

const RULES: Rule[] = [
  {
    kind: 'protected-trait',
    re: /\b(?:male|female|men|women|man|woman|gender|sex|race(?! conditions?)|racial|ethnicity|ethnic background|caucasian|religion|religious|christian|muslim|jewish|hindu|catholic|national origin|nationality|sexual orientation|gay|lesbian|transgender|pregnant|pregnancy|disabled|disability|able-bodied|veteran status|skin colou?r|caste)\b/i,
    reason: 'Names a characteristic protected by anti-discrimination law.',
    suggestion: 'Remove it: state the skill or duty the job needs instead, and assess everyone against that.',
  },
  {
    kind: 'location-proxy',
    re: /\b(?:zip ?codes?|postal codes?|post ?codes?|area codes?|neighbou?rhoods?|must live in|lives? in the)\b/i,
    reason:
      'Where someone lives (zip or postal code, neighbourhood) stands in for race and national origin; Illinois HB 3773 names zip codes explicitly.',
    suggestion: 'Ask about what the job needs: on-site days, the ability to commute to the office, or a work permit.',
  },
  {
    kind: 'age-proxy',
    re: /\b(?:graduat(?:ed|ion)(?: year| date)?(?: in| after| before| from)? (?:19|20)\d\d|class of (?:19|20)\d\d|born (?:in|after|before)|date of birth|\bdob|aged? (?:between |under |over )?\d\d|\d\d ?(?:-|to) ?\d\d years old|years old|under (?:the age of )?\d\d|young|youthful|digital natives?|recent (?:college |university )?grad(?:uate)?s?|fresh grad(?:uate)?s?|no more than \d+ years(?: of)? experience|at most \d+ years(?: of)? experience|maximum (?:of )?\d+ years(?: of)? experience|overqualified)\b/i,
    reason:
      'Graduation years, age ranges, "young", "recent graduate" or a cap on years of experience stand in for age (age discrimination).',
    suggestion: 'State the skills and the level the job needs ("experience with X"), not how long ago or how young.',
  },
  {
    kind: 'language-origin',
    re: /\b(?:native (?:english |french |german |spanish |[a-z]+ )?(?:speakers?|tongue|language|level)|native speakers?|native-speaker|mother tongue|first language|without an accent|no accent|accent-free|neutral accent)\b/i,
    reason: '"Native speaker", "mother tongue" or accents stand in for national origin.',
    suggestion: 'Name the level the job needs: "fluent (C1) English, written and spoken", and assess that.',
  },
  {
    kind: 'school-prestige',
    re: /\b(?:ivy league|ivies|oxbridge|russell group|top[- ]?(?:tier|ranked|\d{1,3}) (?:schools?|universit(?:y|ies)|colleges?|programs?|programmes?|institutions?)|elite (?:schools?|universit(?:y|ies)|colleges?)|prestigious (?:schools?|universit(?:y|ies)|colleges?|institutions?)|(?:harvard|stanford|yale|princeton|oxford|cambridge) (?:or|and|,)|(?:from|at) (?:harvard|stanford|yale|princeton|oxford|cambridge|mit)\b)/i,
    reason:
      'Lists of prestigious schools track family income and race far more than skill, and screen out equally able people.',
    suggestion:
      'Ask for the knowledge or degree level the job needs ("a degree in computer science or equivalent experience").',
  },
  {
    kind: 'culture-fit',
    re: /\b(?:culture fit|cultural fit|culture-fit|fits? (?:in )?(?:with )?(?:our|the) (?:culture|team)|good fit for (?:our|the) team|beer test|like-minded)\b/i,
    reason: '"Culture fit" has no evidence behind it and lets affinity bias decide.',
    suggestion: 'Name the behaviour you need ("gives and takes direct feedback", "works across time zones").',
  },
  {
    kind: 'appearance',
    re: /\b(?:(?:include|attach|send|submit|upload|enclose|with) (?:a |your )?(?:recent )?(?:photo(?:graph)?|headshot|picture)|photo (?:required|attached)|headshots?|picture of (?:yourself|you)|attractive|good-looking|well[- ]groomed|professional appearance|pleasant appearance|(?:height|weight) (?:requirements?|of at least|minimum)|minimum (?:height|weight))\b/i,
    reason: 'Photos and appearance invite judgements on sex, race, age and disability.',
    suggestion: 'Leave appearance out; if a uniform or safety rule applies, state that rule.',
  },
  {
    kind: 'family-status',
    re: /\b(?:marital status|married|unmarried|single (?:parents?|mothers?|fathers?|applicants?|candidates?)|childless|no children|has children|with children|childcare (?:commitments|responsibilities)|family (?:status|commitments|obligations|plans)|plans? to (?:have|start) a family|no family ties)\b/i,
    reason: 'Marital or family status is protected in many places and stands in for sex.',
    suggestion: 'State the working hours, travel or availability the job needs, and ask everyone the same.',
  },
];

export function checkCriterion(text: string): ProxyFlag[] {
  const t = text.slice(0, MAX_CHARS);
  const flags: ProxyFlag[] = [];
  for (const rule of RULES) {
    const m = rule.re.exec(t);
    if (!m) continue;
    flags.push({
      kind: rule.kind,
      quote: m[0],
      start: m.index,
      end: m.index + m[0].length,
      reason: rule.reason,
      suggestion: rule.suggestion,
    });
  }
  return flags.sort((a, b) => a.start - b.start);
}

/** The key a confirmation is stored under: the criterion's words, case and spacing aside. */
export function criterionKey(text: string): string {
  return createHash('sha256').update(text.slice(0, MAX_CHARS).replace(/\s+/g, ' ').trim().toLowerCase()).digest('hex');
}

async function confirmedKeys(db: Kysely<Database>, postingId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('compliance_criterion_confirmations')
    .select('criterion_key')
    .where('posting_id', '=', postingId)
    .execute();
  return new Set(rows.map((r) => r.criterion_key));
}

/** Each criterion with its flags, and whether an admin confirmed it for this posting. */
export async function checkCriteria(
  db: Kysely<Database>,
  postingId: string | null,
  texts: string[],
): Promise<CriterionCheck[]> {
  const confirmed = postingId ? await confirmedKeys(db, postingId) : new Set<string>();
  return texts.map((text) => {
    const flags = checkCriterion(text);
    const ok = confirmed.has(criterionKey(text));
    return { text, flags, confirmed: flags.length > 0 && ok, ignoredInScoring: flags.length > 0 && !ok };
  });
}

export async function setConfirmation(
  db: Kysely<Database>,
  o: { postingId: string; text: string; confirmed: boolean; by: string; now: number },
): Promise<void> {
  const key = criterionKey(o.text);
  if (o.confirmed) {
    await db
      .insertInto('compliance_criterion_confirmations')
      .values({
        posting_id: o.postingId,
        criterion_key: key,
        text: o.text.slice(0, MAX_CHARS),
        confirmed_by: o.by,
        confirmed_at: o.now,
      })
      .onConflict((oc) =>
        oc.columns(['posting_id', 'criterion_key']).doUpdateSet({ confirmed_by: o.by, confirmed_at: o.now }),
      )
      .execute();
  } else {
    await db
      .deleteFrom('compliance_criterion_confirmations')
      .where('posting_id', '=', o.postingId)
      .where('criterion_key', '=', key)
      .execute();
  }
}

/**
 * The posting as scoring should see it: requirements and nice-to-haves the proxy check flags, and no admin confirmed,
 * are taken out of the lists the engine turns into criteria and out of the text it matches keywords against.
 * Unchanged (the same object) when nothing is flagged, so cache keys stay as they were.
 */
export async function guardPosting(db: Kysely<Database>, posting: PostingInput): Promise<PostingInput> {
  const all = [...posting.requirements, ...posting.niceToHave];
  if (!all.some((r) => checkCriterion(r).length > 0)) return posting;
  const confirmed = await confirmedKeys(db, posting.id);
  const ignored = (r: string) => checkCriterion(r).length > 0 && !confirmed.has(criterionKey(r));
  const drop = new Set(all.filter(ignored));
  if (drop.size === 0) return posting;
  const text = posting.text
    .split('\n')
    .filter((line) => !drop.has(line.replace(/^\s*-\s*/, '').trim()))
    .join('\n');
  return {
    ...posting,
    text,
    requirements: posting.requirements.filter((r) => !drop.has(r)),
    niceToHave: posting.niceToHave.filter((r) => !drop.has(r)),
  };
}
