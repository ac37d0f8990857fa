import { describe, expect, it } from 'vitest';
import { synthesizeFeedbackLocal } from '../../backend/ai/synthesize-feedback.ts';
import type { FeedbackInput } from '../../backend/ai/types.ts';
import { FeedbackSynthesisSchema } from '../../utils/contracts/ai.ts';
import { backendPosting, criteria, feedbackForms } from './fixtures/ai-samples.ts';

const rubric = { postingId: backendPosting.id, criteria: Object.values(criteria) };
const now = () => new Date('2026-11-26T12:00:00Z');
const synth = (forms: FeedbackInput[], withRubric = true) =>
  FeedbackSynthesisSchema.parse(
    synthesizeFeedbackLocal(backendPosting, forms, { ...(withRubric ? { rubric } : {}), now }),
  );

describe('synthesizeFeedbackLocal', () => {
  it('reports the score distribution in Lever labels and a mixed consensus', () => {
    const s = synth(feedbackForms);
    expect(s.feedbackCount).toBe(3);
    expect(s.consensus.recommendation).toBe('mixed');
    expect(s.consensus.scoreDistribution).toEqual([
      { label: '4 - Strong Hire', count: 1 },
      { label: '3 - Hire', count: 1 },
      { label: '2 - No Hire', count: 1 },
      { label: '1 - Strong No Hire', count: 0 },
    ]);
    expect(s.consensus.summary).toContain('2 of 3 scored forms recommend hiring');
  });

  it('shows the disagreement on a criterion with each interviewer’s own words', () => {
    const pg = synth(feedbackForms).criteria.find((c) => c.criterionId === 'req-2');
    expect(pg?.agreement).toBe('disagree');
    const byInterviewer = Object.fromEntries(pg!.points.map((p) => [p.interviewer, p]));
    expect(byInterviewer['Sam Lee']).toMatchObject({ feedbackId: 'fb-1', stance: 'positive', score: 4 });
    expect(byInterviewer['Ana Ruiz']).toMatchObject({
      feedbackId: 'fb-2',
      stance: 'negative',
      quote: 'Struggled with basic query planning questions.',
    });
  });

  it('lists criteria nobody assessed', () => {
    const s = synth(feedbackForms);
    expect(s.unassessed).toEqual(['Experience running services on Kubernetes', 'Experience with Kafka']);
    expect(s.criteria.find((c) => c.criterionId === 'req-1')).toMatchObject({ agreement: 'single' });
  });

  it('flags each kind of feedback that needs a second look, quoting the exact text', () => {
    const flags = synth(feedbackForms).flags;
    const kinds = flags.map((f) => [f.feedbackId, f.kind]);
    expect(kinds).toContainEqual(['fb-2', 'protected-trait']);
    expect(kinds).toContainEqual(['fb-2', 'culture-fit-without-evidence']);
    expect(kinds).toContainEqual(['fb-3', 'score-without-comment']);
    expect(flags.filter((f) => f.feedbackId === 'fb-1')).toEqual([]);
    const allText = feedbackForms
      .flatMap((f) => [f.overall?.label ?? '', ...f.fields.flatMap((x) => [String(x.value ?? ''), x.comment ?? ''])])
      .join('\n');
    for (const f of flags) expect(allText).toContain(f.quote);
    expect(flags.find((f) => f.kind === 'protected-trait')?.quote).toBe(
      'She mentioned she has two young kids, so she may not manage on-call.',
    );
  });

  it('flags each protected trait and lets "fit" with evidence through', () => {
    const form = (id: string, text: string): FeedbackInput => ({
      id,
      interviewer: 'X',
      createdAt: 0,
      overall: { label: '3 - Hire', value: 3 },
      fields: [{ label: 'Notes', type: 'textarea', value: text }],
    });
    const cases: Array<[string, boolean]> = [
      ['Seems a bit too old for a fast-moving startup.', true],
      ['Strong candidate, though she is pregnant and may go on leave.', true],
      ['He prays five times a day, which may disrupt meetings.', true],
      ['Heavy accent, clients might struggle.', true],
      ['Has a medical condition, mentioned medication.', true],
      ['Where is she from originally? Ethnic background unclear.', true],
      ['Debugged a race condition in our exercise and added health checks.', false],
    ];
    for (const [text, flagged] of cases) {
      const f = synth([form('f', text)]).flags.filter((x) => x.kind === 'protected-trait');
      expect(f.length > 0, text).toBe(flagged);
    }
    const withEvidence = synth([
      form('f', 'Not a fit for the team: he interrupted the other interviewer four times and dismissed questions.'),
    ]);
    expect(withEvidence.flags.filter((x) => x.kind === 'culture-fit-without-evidence')).toEqual([]);
  });

  it('derives criteria from the posting when no rubric is given, and handles no feedback', () => {
    const s = synth(feedbackForms, false);
    expect(s.criteria.length + s.unassessed.length).toBeGreaterThan(0);
    expect(s.criteria.some((c) => /PostgreSQL/.test(c.criterion) && c.agreement === 'disagree')).toBe(true);
    const empty = synth([]);
    expect(empty.consensus.recommendation).toBe('none');
    expect(empty.unassessed).toHaveLength(4);
  });

  it('agrees when everyone reads a criterion the same way and computes strong consensus', () => {
    const forms: FeedbackInput[] = ['a', 'b'].map((id) => ({
      id,
      interviewer: id,
      createdAt: 0,
      overall: { label: '4 - Strong Hire', value: 4 },
      fields: [
        {
          label: 'Kafka',
          type: 'score',
          value: 4,
          comment: 'Ran Kafka consumers in production, explained rebalancing well.',
        },
      ],
    }));
    const s = synth(forms);
    expect(s.consensus.recommendation).toBe('strong-hire');
    expect(s.criteria.find((c) => c.criterionId === 'nice-1')?.agreement).toBe('agree');
  });
});
