import type { CriterionResult } from '../../utils/contracts/ai.ts';
import { findSkills } from './local/skills.ts';
import { tokenize } from './local/text.ts';
import { evidencePhrase } from './outreach-writing.ts';
import type { CandidateInput } from './types.ts';

/**
 * Gap questions that are about this gap: they name what is missing in plain words (the skill, the years, the degree
 * or the language), say what the resume does show when it shows part of it (a short phrase of its evidence, see
 * outreach-writing.ts), and ask for the closest real experience and a concrete plan for the rest. The strong
 * answer names the same thing. Candidate text is only read through evidencePhrase and findSkills, both bounded.
 */

const MAX = 400;

/** The requirement without its framing ("Strong experience with PostgreSQL" -> "PostgreSQL"). */
export function plainRequirement(text: string): string {
  const t = text
    .slice(0, MAX)
    .replace(/\s+/g, ' ')
    .replace(/[.;:,]+$/, '')
    .trim();
  const stripped = t
    .replace(/^\d{1,2}\s*\+?\s*(?:years?|yrs?)\s+(?:of\s+)?(?:(?:professional|hands-on|relevant|industry)\s+)?/i, '')
    .replace(
      /^(?:(?:proven|strong|solid|deep|excellent|good|hands-on|demonstrated|professional|practical|working|some)\s+)?(?:experience|knowledge|understanding|expertise|background|familiarity|proficiency|skills?)\s+(?:with|in|of|using)\s+/i,
      '',
    )
    .replace(/^(?:(?:proven|strong|solid|deep|hands-on|demonstrated|professional|practical)\s+)?experience\s+/i, '')
    .replace(/^(?:ability|able) to\s+/i, '');
  return stripped || t;
}

/** The skills a requirement names (Kubernetes, PostgreSQL …), in its own words. */
function namedSkills(text: string): string[] {
  const t = text.slice(0, MAX);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of findSkills(t, tokenize(t))) {
    if (seen.has(m.skillId)) continue;
    seen.add(m.skillId);
    out.push(m.name);
  }
  return out;
}

const YEARS = /(\d{1,2})\s*\+?\s*(?:years?|yrs?)/i;

export type GapWording = { question: string; strongAnswer: string };

export function gapQuestion(
  result: CriterionResult,
  depth: 'screen' | 'deep',
  bar: string,
  candidate: CandidateInput,
): GapWording {
  const c = result.criterion;
  const t = c.text.replace(/[.;:]+$/, '').trim();
  const need = plainRequirement(t);
  const skills = namedSkills(t);
  const key = skills.length ? skills.slice(0, 2).join(' and ') : need;
  const years = YEARS.exec(t)?.[1];
  // What the resume shows of it, when it shows part of it.
  const shown = result.evidence
    .map((ev) => {
      const src = ev.source === 'resume' ? candidate.resumeText : (candidate.applicationText ?? '');
      return src.slice(ev.start, ev.end) === ev.quote ? evidencePhrase(src, ev, t) : null;
    })
    .find((p) => p !== null);
  const seen =
    result.status === 'partly' && shown
      ? `your resume shows part of it (${shown.evidence.quote})`
      : result.status === 'partly'
        ? 'your resume shows part of it'
        : `your resume does not mention ${skills.length ? key : 'it'}`;
  const ask = (() => {
    if (years && result.status === 'partly')
      return depth === 'screen'
        ? `How many of your years were hands-on with ${key}, and what did you own yourself?`
        : `Walk me through the part of your career that comes closest to ${need}: what you owned, how long, and what you would still need to learn here.`;
    if (c.kind === 'education')
      return `What training or work has given you the same grounding, and where did you last use it on the job?`;
    if (c.kind === 'language')
      return `In which work situations have you used it, and could you run a customer meeting in it today?`;
    if (skills.length)
      return depth === 'screen'
        ? `Have you used ${key} or something close to it, where, and for how long?`
        : `Say you owned ${need} here from your first month: what would you do in week one, what would you learn first, and which of your past work carries over?`;
    return depth === 'screen'
      ? `What is the closest thing you have done, and how would you get up to speed?`
      : `Tell me about the most comparable problem you have worked on, and what you would need to learn to do this well in your first three months.`;
  })();
  const question = `The role asks for “${t}”, and ${seen}. ${ask}`;
  const strongAnswer =
    depth === 'screen'
      ? `Names real work with ${key} (or the closest equivalent), with their own part and how long; candid about what is new.`
      : `A concrete account of work close to ${key} with their own decisions, a specific plan for what they would learn first, and awareness of the risks; shows ${bar}.`;
  return { question, strongAnswer };
}
