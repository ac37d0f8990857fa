import { describe, expect, it } from 'vitest';
import { generateQuestionsLocal, roleFamilyOf, withoutProhibited } from '../../backend/ai/generate-questions.ts';
import { isProhibitedQuestion } from '../../backend/ai/protected-topics.ts';
import { InterviewQuestionsSchema, type RoleFamily } from '../../utils/contracts/ai.ts';
import { backendPosting, criteria, jane, janeMatch, makeMatch } from './fixtures/ai-samples.ts';

const posting = (title: string, team: string | null = null) => ({ ...backendPosting, title, team });

describe('roleFamilyOf', () => {
  it.each<[string, string | null, RoleFamily]>([
    ['Senior Backend Engineer', 'Platform', 'engineering'],
    ['Account Executive, Mid-Market', null, 'sales'],
    ['Product Designer', 'Growth', 'design'],
    ['Customer Support Engineer', null, 'support'],
    ['Technical Support Specialist', null, 'support'],
    ['People Operations Partner', null, 'operations'],
    ['Senior Associate', 'Sales', 'sales'],
    ['Chef', null, 'other'],
  ])('%s (%s) -> %s', (title, team, family) => {
    expect(roleFamilyOf(posting(title, team))).toBe(family);
  });
});

describe('isProhibitedQuestion', () => {
  it.each([
    'How old are you?',
    'What year did you graduate from high school?',
    'Do you have children, or plan to start a family?',
    'Are you married?',
    'Are you pregnant or planning parental leave soon?',
    'Which church do you attend?',
    'Where are you originally from?',
    'Is English your native language?',
    'Are you a US citizen?',
    'Do you have any health conditions we should know about?',
    'Do you have a disability?',
    'What is your sexual orientation?',
    'Which party did you vote for?',
  ])('rejects: %s', (q) => expect(isProhibitedQuestion(q)).toBe(true));

  it.each([
    'How would you debug a race condition in a Node.js service?',
    'Tell me about a React Native app you shipped.',
    'How do you handle a child process that never exits?',
    'How do you design health checks for a Kubernetes deployment?',
    'How did you work with partner teams on the migration?',
    'How have you grown revenue in Southeast Asian markets?',
    'Are you legally authorised to work in Germany?',
  ])('allows: %s', (q) => expect(isProhibitedQuestion(q)).toBe(false));
});

describe('generateQuestionsLocal', () => {
  const now = () => new Date('2026-11-26T12:00:00Z');

  it('asks about gaps first, then unclear criteria, then core criteria, each tied to a criterion', () => {
    const q = InterviewQuestionsSchema.parse(
      generateQuestionsLocal(backendPosting, jane, janeMatch, 'On-site interview', { now }),
    );
    expect(q.roleFamily).toBe('engineering');
    const criterionQs = q.questions.filter((x) => !x.criterionId.startsWith('bank:'));
    expect(criterionQs.map((x) => [x.criterionId, x.reason])).toEqual([
      ['req-3', 'gap'],
      ['nice-1', 'unclear'],
      ['req-1', 'core'],
      ['req-2', 'core'],
    ]);
    expect(criterionQs[0]!.question).toContain('Experience running services on Kubernetes');
    for (const x of q.questions) expect(x.strongAnswer.length).toBeGreaterThan(20);
  });

  it('keeps screens short and about motivation, goes deeper on-site', () => {
    const screen = generateQuestionsLocal(backendPosting, jane, janeMatch, 'Phone screen', { now });
    const onsite = generateQuestionsLocal(backendPosting, jane, janeMatch, 'On-site interview', { now });
    expect(screen.questions.length).toBeLessThan(onsite.questions.length);
    expect(screen.questions.some((x) => /draws you to this Senior Backend Engineer role/.test(x.question))).toBe(true);
    expect(onsite.questions.some((x) => /production incident/.test(x.question))).toBe(true);
    // Screens stay logistics-free.
    expect(screen.questions.map((x) => x.question).join(' ')).not.toMatch(/salary|notice period|visa|relocat/i);
  });

  it('uses the question bank of the role family', () => {
    const sales = generateQuestionsLocal(posting('Account Executive'), jane, janeMatch, 'Final interview', { now });
    expect(sales.roleFamily).toBe('sales');
    expect(sales.questions.some((x) => /pipeline/i.test(x.question))).toBe(true);
    expect(sales.questions.some((x) => /production incident/.test(x.question))).toBe(false);
  });

  it('never emits a question about a protected characteristic, even when a criterion invites one', () => {
    const match = makeMatch([
      {
        criterion: { id: 'bad-1', text: 'Native English speaker', kind: 'language', weight: 1, mustHave: true },
        status: 'unclear',
      },
      {
        criterion: {
          id: 'bad-2',
          text: 'Young and energetic, no family commitments',
          kind: 'other',
          weight: 1,
          mustHave: false,
        },
        status: 'not-met',
      },
      { criterion: criteria.pg, status: 'met' },
    ]);
    for (const stage of ['Phone screen', 'On-site interview']) {
      const q = generateQuestionsLocal(backendPosting, jane, match, stage, { now });
      expect(q.questions.map((x) => x.criterionId)).not.toContain('bad-1');
      expect(q.questions.map((x) => x.criterionId)).not.toContain('bad-2');
      expect(q.questions.map((x) => x.criterionId)).toContain('req-2');
      for (const x of q.questions) expect(isProhibitedQuestion(x.question)).toBe(false);
    }
    const kept = withoutProhibited([
      { id: 'x', criterionId: 'c', criterion: 'c', question: 'How old are you?', strongAnswer: 'n/a', reason: 'core' },
      {
        id: 'y',
        criterionId: 'c',
        criterion: 'c',
        question: 'How do you test migrations?',
        strongAnswer: 'Concrete practice',
        reason: 'core',
      },
    ]);
    expect(kept.map((k) => k.question)).toEqual(['How do you test migrations?']);
  });
});
