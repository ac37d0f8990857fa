import type { CriterionStatus } from '../../../utils/contracts/ai.ts';
import type { Concept, CriterionSpec, HeadPart } from './criterion-spec.ts';
import { LEVEL_NAMES } from './education.ts';
import { mergedYears, type ProfileLine, type ResumeProfile } from './resume-profile.ts';
import { type Span, sentenceSpans, stem, trimSpan } from './text.ts';

/**
 * Judges one criterion against one resume profile. Returns the status a recruiter sees, the resume spans that
 * support it, a one-sentence explanation, and the credit (0..1) the score is built from.
 */

export type Judgement = {
  status: CriterionStatus;
  credit: number;
  spans: Span[];
  explanation: string;
};

/**
 * Status thresholds on the credit of skill-like criteria: met at `metAt` (when nothing the requirement names is
 * missing), partly at `partlyAt`, not met below. `npx tsx bench/quality-heldout.ts` checks them on held-out data.
 */
export type Thresholds = { metAt: number; partlyAt: number };
export const THRESHOLDS: Readonly<Thresholds> = { metAt: 0.55, partlyAt: 0.3 };
/** Credit for a criterion the resume says nothing about either way: neither rewarded nor punished. */
export const UNCLEAR_CREDIT = 0.5;

export function present(c: Concept, keys: { has(key: string): boolean }): boolean {
  return c.forms.some((f) => f.every((k) => keys.has(k)));
}

/** Like `present`, but the words of a multi-word form must appear together on one line of the resume. */
function presentIn(c: Concept, profile: ResumeProfile): boolean {
  return c.forms.some((f) => {
    if (!f.every((k) => profile.keys.has(k))) return false;
    return f.length === 1 || profile.lines.some((l) => f.every((k) => l.keys.has(k)));
  });
}

function coverage(concepts: Concept[], profile: ResumeProfile): number {
  if (concepts.length === 0) return 0;
  let n = 0;
  for (const c of concepts) if (presentIn(c, profile)) n++;
  return n / concepts.length;
}

/** Best share of the concepts found together on a single line: "time" and "management" far apart is weaker. */
export function bestLineCoverage(concepts: Concept[], profile: ResumeProfile): number {
  let best = 0;
  for (const line of profile.lines) if (line.keys.size > 0) best = Math.max(best, fraction(concepts, line.keys));
  return best;
}

function fraction(concepts: Concept[], keys: Set<string>): number {
  if (concepts.length === 0) return 0;
  let n = 0;
  for (const c of concepts) if (present(c, keys)) n++;
  return n / concepts.length;
}

/** The quotable part of a line: the whole line, or the sentence in a long line that holds the match. */
function quoteSpan(profile: ResumeProfile, line: ProfileLine, concepts: Concept[]): Span {
  const span = trimSpan(profile.text, line);
  if (span.end - span.start <= 240) return span;
  const inner = profile.text.slice(span.start, span.end);
  const labels = concepts.map((c) => c.label.toLowerCase());
  const sentences = sentenceSpans(inner);
  const best =
    sentences.find((s) => labels.some((l) => inner.slice(s.start, s.end).toLowerCase().includes(l.slice(0, 5)))) ??
    sentences[0];
  return best ? { start: span.start + best.start, end: span.start + best.end } : span;
}

/** Up to two lines that together show the most (head-weighted) concepts. */
function evidenceLines(profile: ResumeProfile, concepts: Concept[]): Span[] {
  const found = concepts.filter((c) => present(c, profile.keys));
  if (found.length === 0) return [];
  let best: ProfileLine | null = null;
  let bestScore = 0;
  for (const line of profile.lines) {
    let s = 0;
    // Named skills are the most specific thing a requirement says: quote the line that has them.
    for (const c of found) if (present(c, line.keys)) s += c.head || c.key.startsWith('§') ? 2 : 1;
    if (s > bestScore) {
      bestScore = s;
      best = line;
    }
  }
  if (!best) return [];
  const out = [quoteSpan(profile, best, found)];
  const missing = found.filter((c) => (c.head || c.key.startsWith('§')) && !present(c, best.keys));
  if (missing.length > 0) {
    const second =
      profile.lines.find((l) => l !== best && missing.every((c) => present(c, l.keys))) ??
      profile.lines.find((l) => l !== best && missing.some((c) => present(c, l.keys)));
    if (second) out.push(quoteSpan(profile, second, missing));
  }
  return out.sort((a, b) => a.start - b.start);
}

// Broad nouns that complete a phrase rather than name a thing ("Cisco technologies", "Scrum framework"): they need
// not be on the same line as the word they complete.
const BROAD = new Set(
  (
    'technology technologies tool tools solution solutions product products platform platforms environment environments concept concepts principle principles practice practices technique techniques method methods methodology methodologies framework frameworks software system systems ' +
    // Words that say which aspect of a thing, not what: "usage of Tablet", "Linux-based", "Cloudera ecosystem".
    'usage utilization utilisation based entire ecosystem ecosystems protocol protocols facet facets aspect aspects ' +
    'application applications nature fundamentals basics language languages area areas ' +
    // What kind of thing a named one is: "Linux operating systems", "C# programming", "Workday functionality".
    'os programming coding scripting functionality functionalities feature features ' +
    // What is done with a thing, not what: "design and implement circuits", "identification of patterns through
    // clustering", "modify and refine graphic files". Verbs that also name a skill ("troubleshoot", "design",
    // "develop", "test", "maintain") are not here.
    'implement implementing implementation identify identifying identification modify modifying refine refining ' +
    'create creating creation prepare preparing preparation conduct conducting define defining derive deriving ' +
    'engage engaging involve involving execute executing execution exhibit exhibiting oversee overseeing ' +
    'provide providing assist assisting achieve achieving establish establishing undertake undertaking ' +
    'incorporate incorporating ' +
    // How a skill is used: "oral and written communication", "verbal and written customer service".
    'oral verbal written'
  )
    .split(' ')
    .map(stem)
    .concat('§operating-system'),
);

/** A broad word, also when the vocabulary has it as a skill ("software"). */
const isBroad = (c: Concept) => BROAD.has(c.key) || c.forms.some((f) => f.length === 1 && BROAD.has(f[0]!));

/**
 * A vocabulary entry written as a plain lower-case word ("data", "support", "client"): outside the head it says
 * what the thing is for ("XML to store and transport data"), not a further skill asked for.
 */
const plainWord = (c: Concept) => /^[a-z]+$/.test(c.label);

/** A vocabulary skill written as a name ("Photoshop", not "data"), or a word written with a capital. */
const isName = (c: Concept) => !isBroad(c) && ((c.key.startsWith('§') && !plainWord(c)) || c.proper === true);

/** The words of a part that say what it is: all but the broad ones (unless it has only broad ones). */
function coreOf(part: HeadPart): Concept[] {
  const specific = part.concepts.filter((c) => !isBroad(c));
  return specific.length > 0 ? specific : part.concepts;
}

/**
 * Whether the resume shows one part of a head: one of its specific words at least (a broad word alone does not
 * show "Axure software"), and a phrase of two specific words together on one line. Longer parts are judged by
 * coverage alone.
 */
function partShown(part: HeadPart, profile: ResumeProfile): boolean {
  const core = coreOf(part);
  // A part that names something ("Power over Project Management skills", "sense of Judgment") is shown by what it
  // names; its ordinary words say how much or in what way.
  const names = core.filter(isName);
  if (names.length > 0) {
    if (!names.every((c) => presentIn(c, profile))) return false;
    // "Database Testing": the words of one name on one line.
    return names.length === 1 || profile.lines.some((l) => names.every((c) => present(c, l.keys)));
  }
  if (!core.some((c) => presentIn(c, profile))) return false;
  if (core.length !== 2) return true;
  return profile.lines.some((l) => core.every((c) => present(c, l.keys)));
}

/** Named skills of the head that the resume shows on dated role lines only, never in a skill or task line. */
function titleOnlyConcepts(head: Concept[], profile: ResumeProfile): Concept[] {
  const dated = new Set<ProfileLine>();
  for (const e of profile.entries) if (e.ranges.length > 0) dated.add(e.line);
  if (dated.size === 0) return [];
  return head.filter(
    (c) =>
      c.key.startsWith('§') &&
      profile.lines.some((l) => dated.has(l) && present(c, l.keys)) &&
      !profile.lines.some((l) => !dated.has(l) && present(c, l.keys)),
  );
}

function judgeCoverage(asked: CriterionSpec, profile: ResumeProfile, t: Thresholds = THRESHOLDS): Judgement {
  let spec = asked;
  // Broad words ("Middleware tools", "HTTP protocols") complete a phrase: they neither earn nor cost credit when
  // the requirement names something more specific.
  const specific = spec.concepts.filter((c) => !isBroad(c));
  const judged = specific.length > 0 ? specific : spec.concepts;
  // A part of the head of broad words only ("design and implement circuits", "oral and written communication")
  // says how the other parts are done: it is not a thing of its own.
  const named = spec.headParts.filter((p) => p.concepts.some((c) => !isBroad(c)));
  if (named.length > 0 && named.length < spec.headParts.length) spec = { ...spec, headParts: named };
  const head = judged.filter((c) => c.head);
  const rest = judged.filter((c) => !c.head);
  // "AWS, GCP or Azure": the head is as well covered as its best alternative.
  const anyOf = spec.headAnyOf && spec.headParts.length > 1;
  const shownParts = spec.headParts.filter((p) => partShown(p, profile));
  const headGlobal = coverage(head, profile);
  const headCov = anyOf
    ? Math.max(0, ...spec.headParts.map((p) => coverage(coreOf(p), profile)))
    : head.length > 1
      ? 0.5 * headGlobal + 0.5 * bestLineCoverage(head, profile)
      : headGlobal;
  const allCov = anyOf ? Math.max(coverage(judged, profile), headCov) : coverage(judged, profile);
  const credit = head.length > 0 && rest.length > 0 ? 0.75 * headCov + 0.25 * allCov : anyOf ? headCov : allCov;
  const spans = evidenceLines(profile, spec.concepts);
  // Concepts of alternatives or examples, one of which is shown: the others are not asked for.
  const waived = new Set<string>(spec.purpose);
  if (anyOf && shownParts.length > 0) for (const p of spec.headParts) for (const c of p.concepts) waived.add(c.key);
  const missingGroups: string[] = [];
  for (const group of spec.optional) {
    const members = spec.concepts.filter((c) => group.includes(c.key));
    if (members.some((c) => presentIn(c, profile))) for (const k of group) waived.add(k);
    else {
      missingGroups.push(members.map((c) => c.label).join(' or '));
      for (const k of group) waived.add(k);
    }
  }
  // Named skills (vocabulary entries: "Perl", "AWS") each count: "Perl and Ruby" is not met by Ruby alone.
  const missingNamed = [
    ...missingGroups,
    ...spec.concepts
      .filter(
        (c) =>
          ((c.key.startsWith('§') && (c.head || !plainWord(c))) || c.proper || (spec.isList && c.head)) &&
          !waived.has(c.key) &&
          !isBroad(c) &&
          !presentIn(c, profile),
      )
      .map((c) => c.label),
  ];
  // Each thing the head names must be shown: "stamina and strength" is not met by stamina alone, and the words of
  // one thing ("time management") must be on one line, not "time" in one place and "management" in another.
  // Of alternatives, one is enough.
  const missingParts = anyOf
    ? shownParts.length > 0
      ? []
      : spec.headParts
    : spec.headParts.filter((p) => !shownParts.includes(p));
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (label: string) => {
    const key = label.toLowerCase();
    if (seen.has(key) || [...seen].some((s) => s.includes(key))) return;
    seen.add(key);
    missing.push(label);
  };
  if (anyOf && missingParts.length > 0) add(missingParts.map((p) => p.label).join(' or '));
  else if (spec.headParts.length > 1) for (const p of missingParts) add(p.label);
  for (const l of missingNamed) add(l);
  for (const c of head) if (!waived.has(c.key) && !presentIn(c, profile)) add(c.label);
  const apart = missing.length === 0 && missingParts.length > 0;
  const note = missing.length
    ? `; no mention of ${missing.slice(0, 4).join(', ')}`
    : apart
      ? `; ${missingParts[0]!.concepts.map((c) => c.label).join(' and ')} appear only on separate lines`
      : '';
  // Every name the head writes is shown, and every part of it: its ordinary words ("Clear competency of using EC2",
  // "Highly developed analytical skills") do not make it a gap.
  const headNames = head.filter(isName);
  const namesShown =
    headNames.length > 0 &&
    spec.headParts.length > 0 &&
    headNames.every((c) => waived.has(c.key) || presentIn(c, profile));
  // A requirement that names things ("Proficiency in Intuitive User Interfaces (UI) with AngularJS and React") is met
  // when the resume shows every name, each name of a head part on one line: the ordinary words around the names say
  // how much or what for.
  const allNames = judged.filter((c) => isName(c) && !spec.purpose.includes(c.key));
  const everyNameShown =
    allNames.length > 0 &&
    missingNamed.length === 0 &&
    allNames.every((c) => waived.has(c.key) || presentIn(c, profile)) &&
    spec.headParts.every((p) => !p.concepts.some(isName) || partShown(p, profile));
  if (((credit >= t.metAt || namesShown) && missingNamed.length === 0 && missingParts.length === 0) || everyNameShown) {
    // A skill named only in a role title ("Big Data Developer - Hadoop/Java, 2016 - 2021") is a claim, not shown use.
    // ...unless its examples are shown: "front-end languages such as HTML, CSS3" by a line of HTML and CSS3.
    const exampleShown = spec.optional.some((g) =>
      spec.concepts.some((c) => g.includes(c.key) && presentIn(c, profile)),
    );
    const titleOnly = exampleShown ? [] : titleOnlyConcepts(head, profile);
    if (titleOnly.length === 0)
      return {
        status: 'met',
        credit: Math.min(1, credit + 0.1),
        spans,
        explanation: `The resume shows ${spec.label}.`,
      };
    return {
      status: 'partly',
      credit: Math.min(credit, t.metAt),
      spans,
      explanation: `The resume shows part of ${spec.label}; ${titleOnly.map((c) => c.label).join(', ')} only in a job title.`,
    };
  }
  // Nothing the head names is shown ("Microsoft Visio and Axure software" by "software" alone): not met.
  const noPart =
    spec.headParts.length > 0 && spec.headParts.every((p) => !coreOf(p).some((c) => presentIn(c, profile)));
  // A head of ordinary words that names no skill ("Technical knowledge on Puppet / Chef", "flush skills in Active
  // Listening") while the rest names skills: what is asked is those skills, and the resume shows every one.
  // Names are vocabulary skills and words written with a capital ("flush skills in Active Listening", "Acute depth
  // knowlege within NIST, FISMA").
  const namedRest = spec.concepts.filter(
    (c) =>
      ((c.key.startsWith('§') && !plainWord(c)) || c.proper) && !c.head && !isBroad(c) && !spec.purpose.includes(c.key),
  );
  if (
    noPart &&
    namedRest.length > 0 &&
    missingNamed.length === 0 &&
    namedRest.every((c) => presentIn(c, profile)) &&
    !head.some((c) => c.key.startsWith('§') || c.proper)
  )
    return {
      status: 'met',
      credit: Math.max(credit, t.metAt),
      spans,
      explanation: `The resume shows ${namedRest.map((c) => c.label).join(', ')}.`,
    };
  if (credit >= t.partlyAt && !noPart)
    return {
      status: 'partly',
      credit: missingNamed.length || missingParts.length ? Math.min(credit, t.metAt) : credit,
      spans,
      explanation: `The resume shows part of ${spec.label}${note}.`,
    };
  return {
    status: 'not-met',
    credit: credit * 0.5,
    spans: [],
    explanation: `No evidence of ${spec.label} in the resume.`,
  };
}

function judgeExperience(spec: CriterionSpec, profile: ResumeProfile): Judgement {
  const min = spec.minYears ?? 0;
  const subject = spec.subject;
  const matched: Array<{ entry: ResumeProfile['entries'][number]; frac: number }> = [];
  for (const entry of profile.entries) {
    const frac = subject.length ? fraction(subject, entry.keys) : 1;
    if (frac >= 0.6) matched.push({ entry, frac });
  }
  const ranged = matched.flatMap((m) => m.entry.ranges);
  const claimed = matched.filter((m) => m.entry.ranges.length === 0).reduce((n, m) => Math.max(n, m.entry.years), 0);
  const years =
    subject.length === 0
      ? profile.totalYears
      : Math.max(mergedYears(ranged), claimed, ...matched.map((m) => m.entry.years));
  const bestFrac = matched.reduce((n, m) => Math.max(n, m.frac), 0);
  const spans = matched
    .sort((a, b) => b.frac - a.frac)
    .slice(0, 3)
    .map((m) => trimSpan(profile.text, m.entry.line))
    .sort((a, b) => a.start - b.start);
  const what = spec.label;
  const shown = `${Math.round(years * 10) / 10} year${years === 1 ? '' : 's'}`;
  if (matched.length > 0 && years >= min) {
    return {
      status: 'met',
      credit: 0.7 + 0.3 * bestFrac,
      spans,
      explanation: `Asked ${what}; the resume shows ${shown}.`,
    };
  }
  if (matched.length > 0 && years > 0) {
    return {
      status: 'partly',
      credit: (0.2 + 0.6 * (years / Math.max(min, 1))) * (0.7 + 0.3 * bestFrac),
      spans,
      explanation: `Asked ${what}; the resume shows only ${shown}.`,
    };
  }
  const mentioned = subject.length > 0 ? fraction(subject, profile.keys) : 0;
  const mentionSpans = evidenceLines(profile, subject);
  if (matched.length > 0 || (mentioned >= 0.5 && profile.entries.length === 0)) {
    return {
      status: 'unclear',
      credit: UNCLEAR_CREDIT * 0.8,
      spans: mentionSpans,
      explanation: `The resume mentions this experience but gives no dates: ${what}.`,
    };
  }
  if (mentioned >= 0.5) {
    return {
      status: 'partly',
      credit: 0.3 * mentioned,
      spans: mentionSpans,
      explanation: `Asked ${what}; the resume mentions it but not as a dated role.`,
    };
  }
  if (profile.entries.length === 0 && subject.length === 0) {
    return {
      status: 'unclear',
      credit: UNCLEAR_CREDIT,
      spans: [],
      explanation: `The resume gives no dates to count ${what}.`,
    };
  }
  return { status: 'not-met', credit: 0.15 * mentioned, spans: [], explanation: `No experience found for ${what}.` };
}

const DEGREE_WORDS =
  /^(bachelor|master|degree|diploma|phd|ph|doctorate|mba|bs|ba|ms|msc|bsc|associate|high|school|ged|equivalent|related|field|higher|preferably|certificate|certification|graduate|undergraduate|university|college|accredited)/;

function judgeEducation(spec: CriterionSpec, profile: ResumeProfile): Judgement {
  const field = spec.concepts.filter((c) => !DEGREE_WORDS.test(c.label.toLowerCase()));
  if (profile.degrees.length === 0)
    return { status: 'unclear', credit: UNCLEAR_CREDIT, spans: [], explanation: 'The resume does not state a degree.' };
  const best = profile.degrees.reduce((a, b) => {
    const fa = fraction(field, a.line.keys);
    const fb = fraction(field, b.line.keys);
    return b.level > a.level || (b.level === a.level && fb > fa) ? b : a;
  });
  const fieldCov = field.length
    ? Math.max(
        ...profile.degrees.filter((d) => d.level >= spec.degreeLevel).map((d) => fraction(field, d.line.keys)),
        0,
      )
    : 1;
  const spans = [trimSpan(profile.text, best.line)];
  const asked = LEVEL_NAMES[spec.degreeLevel] ?? 'a degree';
  if (best.level >= spec.degreeLevel && fieldCov >= 0.5)
    return {
      status: 'met',
      credit: 1,
      spans,
      explanation: `Asked ${asked}; the resume shows ${LEVEL_NAMES[best.level]}.`,
    };
  if (best.level >= spec.degreeLevel)
    return {
      status: 'partly',
      credit: 0.6,
      spans,
      explanation: `Has ${LEVEL_NAMES[best.level]}, but not clearly in the field asked for.`,
    };
  if (best.level === spec.degreeLevel - 1)
    return {
      status: 'partly',
      credit: 0.4,
      spans,
      explanation: `Asked ${asked}; the resume shows ${LEVEL_NAMES[best.level]}.`,
    };
  return {
    status: 'not-met',
    credit: 0.1,
    spans,
    explanation: `Asked ${asked}; the resume shows ${LEVEL_NAMES[best.level]}.`,
  };
}

function judgeLanguage(spec: CriterionSpec, profile: ResumeProfile): Judgement {
  const found = spec.languages.filter((l) => profile.languages.has(l));
  if (found.length > 0) {
    const spans = found.map((l) => trimSpan(profile.text, profile.languages.get(l)!));
    return { status: 'met', credit: 1, spans, explanation: `The resume mentions ${found.join(', ')}.` };
  }
  return {
    status: 'unclear',
    credit: UNCLEAR_CREDIT,
    spans: [],
    explanation: `The resume does not say whether the candidate speaks ${spec.languages.join(' or ')}.`,
  };
}

export function judgeCriterion(
  spec: CriterionSpec,
  profile: ResumeProfile,
  nothingToJudge: boolean,
  thresholds: Thresholds = THRESHOLDS,
): Judgement {
  if (nothingToJudge)
    return {
      status: 'unclear',
      credit: UNCLEAR_CREDIT,
      spans: [],
      explanation: 'The resume has too little text to judge this.',
    };
  switch (spec.criterion.kind) {
    case 'experience':
      return spec.minYears !== null ? judgeExperience(spec, profile) : judgeCoverage(spec, profile, thresholds);
    case 'education':
      return judgeEducation(spec, profile);
    case 'language':
      return judgeLanguage(spec, profile);
    case 'other': {
      const j = judgeCoverage(spec, profile, thresholds);
      // Availability, licences, authorisation: absence in a resume says nothing, so ask instead of penalising.
      return j.status === 'met'
        ? j
        : {
            status: 'unclear',
            credit: UNCLEAR_CREDIT,
            spans: j.spans,
            explanation: `The resume does not say: ${spec.label}.`,
          };
    }
    default:
      return judgeCoverage(spec, profile, thresholds);
  }
}
