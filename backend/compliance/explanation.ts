import type { Kysely } from 'kysely';
import type { MatchResult } from '../../utils/contracts/ai.ts';
import { MatchResultSchema } from '../../utils/contracts/ai.ts';
import type { ComplianceSettings, Explanation } from '../../utils/contracts/compliance.ts';
import type { Database } from '../store/schema.ts';

/**
 * An explanation a recruiter can send a candidate who asks how the automated assessment of their application went:
 * the criteria, the outcome per criterion with the passages quoted word for word from what the candidate sent, what
 * was not found, and how to correct data or ask for a human review. Built from the assessment Fulcrum recorded
 * (ai_results, the newest match of this opportunity), never recomputed, so it explains what the recruiter saw.
 *
 * Quotes are the score result's own evidence, re-checked against the résumé and application text as Lever has them
 * now: a quote that no longer occurs there (the résumé was replaced, the cached row was altered) is left out, so the
 * explanation never attributes to the candidate words they did not write. Curly double quotes (“ ”) mark those quotes
 * and nothing else: other text in the explanation has its double quotes turned into single ones.
 * No score or verdict unless an admin enabled them (ComplianceSettings.explanationsShowScores).
 */

const OUTCOME = {
  met: 'met',
  partly: 'partly met',
  'not-met': 'not met',
  unclear: 'could not tell',
} as const;

const MAX_QUOTES = 3;
const MAX_QUOTE_CHARS = 300;

/** The newest recorded match of an opportunity, or null when Fulcrum never assessed it. */
export async function latestMatch(
  db: Kysely<Database>,
  opportunityId: string,
): Promise<{ result: MatchResult; at: number } | null> {
  const rows = await db
    .selectFrom('ai_results')
    .select(['result', 'created_at'])
    .where('opportunity_id', '=', opportunityId)
    .where('capability', '=', 'match')
    .orderBy('created_at', 'desc')
    .limit(5)
    .execute();
  for (const row of rows) {
    try {
      const parsed = MatchResultSchema.safeParse(JSON.parse(row.result));
      if (parsed.success) return { result: parsed.data, at: row.created_at };
    } catch {
      // An unreadable row is skipped; the next older one may do.
    }
  }
  return null;
}

/** Text that is not a quote of the candidate: its double quotes become single ones, so “ ” mean a quote. */
const plain = (s: string) => s.replace(/[“”"]/g, "'").replace(/\s+/g, ' ').trim();

/** A quote that occurs in the source, cut to a readable length at a word boundary (still a substring). */
function verifiedQuote(quote: string, source: string): string | null {
  // One line of the source at most, so the quote reads (and is checked) exactly as it stands there.
  const q = (quote.split('\n').find((l) => l.trim()) ?? '').trim();
  if (!q || /[“”]/.test(q) || !source.includes(q)) return null;
  if (q.length <= MAX_QUOTE_CHARS) return q;
  const cut = q.slice(0, MAX_QUOTE_CHARS);
  const space = cut.lastIndexOf(' ');
  return space > 40 ? cut.slice(0, space) : cut;
}

export type ExplanationInput = {
  opportunityId: string;
  posting: { id: string; title: string };
  match: { result: MatchResult; at: number };
  /** What the candidate sent, as Lever has it now. */
  sources: { resume: string; application: string };
  settings: ComplianceSettings;
  now: Date;
};

export function buildExplanation(input: ExplanationInput): Explanation {
  const { result } = input.match;
  const criteria = result.criteria.map((c) => {
    const evidence: Explanation['criteria'][number]['evidence'] = [];
    for (const e of c.evidence) {
      if (evidence.length >= MAX_QUOTES) break;
      if (e.source !== 'resume' && e.source !== 'application') continue;
      const q = verifiedQuote(e.quote, e.source === 'resume' ? input.sources.resume : input.sources.application);
      if (q && !evidence.some((x) => x.quote === q)) evidence.push({ source: e.source, quote: q });
    }
    const outcome = OUTCOME[c.status];
    const notFound =
      c.status === 'met' && evidence.length
        ? null
        : c.status === 'unclear'
          ? 'The tool could not tell from your application whether you meet this; a recruiter may ask you about it.'
          : plain(c.explanation).slice(0, 400) || 'The tool found no passage about this in your application.';
    return { criterion: plain(c.criterion.text).slice(0, 400), outcome, evidence, notFound };
  });
  const score = input.settings.explanationsShowScores ? { score: result.score, verdict: result.verdict } : null;
  const engine = `${result.provenance.model} (${result.provenance.provider === 'local' ? 'rules-based, runs on our servers' : 'AI model'})`;
  const org = input.settings.organization || 'We';
  const contact = input.settings.contactEmail || 'your recruiter';
  const lines: string[] = [
    '# How the automated assessment of your application went',
    '',
    `Application: ${plain(input.posting.title)}`,
    `Assessed on ${new Date(input.match.at).toISOString().slice(0, 10)} by ${engine}; explanation prepared on ${input.now.toISOString().slice(0, 10)}.`,
    '',
    `${org === 'We' ? 'We' : plain(org)} used Fulcrum, an automated tool, to compare your résumé and application answers with the requirements of this job. A recruiter reviewed what it found; the tool made no decision on its own. For each requirement below you see what the tool looked for, whether it found it, and the passages of your application it relied on, quoted word for word.`,
    '',
  ];
  criteria.forEach((c, i) => {
    lines.push(`## Requirement ${i + 1}: ${c.criterion}`, `- Outcome: ${c.outcome}`);
    if (c.evidence.length) {
      lines.push(
        `- Found in your ${c.evidence.some((e) => e.source === 'application') ? 'application' : 'résumé'}: ${c.evidence.map((e) => `“${e.quote}”`).join('; ')}`,
      );
    }
    if (c.notFound) lines.push(`- Not found: ${c.notFound}`);
    lines.push('');
  });
  if (score) lines.push(`Overall: ${score.score} of 100 (${score.verdict}).`, '');
  lines.push(
    '## If something is wrong or missing',
    `You can send corrected or additional information (for example experience the tool did not pick up), ask for your application to be reviewed again by a person without the tool, or ask to be assessed without the tool from now on. Write to ${plain(contact)}, naming the job.`,
  );
  return {
    opportunityId: input.opportunityId,
    posting: input.posting,
    generatedAt: input.now.toISOString(),
    assessedAt: new Date(input.match.at).toISOString(),
    engine,
    criteria,
    score,
    text: lines.join('\n'),
  };
}

/** Every “quoted” passage of an explanation's text (what the tests check against the sources). */
export function quotesIn(text: string): string[] {
  return [...text.matchAll(/“([^”]*)”/g)].map((m) => m[1] ?? '');
}
