import type {
  Criterion,
  CriterionResult,
  InterviewQuestion,
  InterviewQuestions,
  MatchResult,
  RoleFamily,
} from '../../utils/contracts/ai.ts';
import { isProhibitedQuestion } from './protected-topics.ts';
import { hashInput, localProvenance } from './provenance.ts';
import { gapQuestion } from './question-writing.ts';
import type { CandidateInput, PostingInput } from './types.ts';

/**
 * Interview questions for a stage, aimed first at what the match left open (gaps, then unclear criteria), then at
 * the posting's core criteria, then at a small question bank for the role family. Screens stay short and probe
 * motivation and fit for the work; later stages go deeper. Logistics (salary, notice, visas) are left to the
 * recruiter and never generated. Every question passes `isProhibitedQuestion` before it is returned.
 */
export const QUESTIONS_TEMPLATE_VERSION = 'questions-templates-2';

const FAMILY_RULES: Array<[RoleFamily, RegExp]> = [
  [
    'support',
    /\b(?:support|customer success|customer experience|help ?desk|service desk|customer care|technical account manager)\b/i,
  ],
  ['design', /\b(?:design(?:er)?|ux|ui|user experience|user research(?:er)?|brand|illustrat\w*|creative|visual)\b/i],
  [
    'sales',
    /\b(?:sales|account executive|account manager|business development|bdr|sdr|partnerships?|revenue|solutions? consultant|pre-?sales)\b/i,
  ],
  [
    'engineering',
    /\b(?:engineer\w*|developer|software|sre|devops|data scien\w*|machine learning|ml|architect|programmer|qa|front-?end|back-?end|full[- ]?stack|infrastructure|platform|security)\b/i,
  ],
  [
    'operations',
    /\b(?:operations|ops|logistics|supply chain|procurement|finance|accountant|accounting|payroll|people|hr|human resources|recruit\w*|talent|office manager|facilities|program manager|project manager|administrat\w*)\b/i,
  ],
];

/** The role family of a posting: from its title first, then from its team. */
export function roleFamilyOf(posting: Pick<PostingInput, 'title' | 'team'>): RoleFamily {
  for (const source of [posting.title, posting.team ?? '']) {
    for (const [family, re] of FAMILY_RULES) if (re.test(source)) return family;
  }
  return 'other';
}

export type StageDepth = 'screen' | 'deep';

/** Screens are the early conversations (recruiter, phone, intro); everything else is a deeper interview. */
export function stageDepth(stage: string): StageDepth {
  return /\b(?:screen\w*|phone|intro\w*|recruiter|initial|first call|call)\b/i.test(stage) ? 'screen' : 'deep';
}

/** What the role family's strong answers have in common, appended to every criterion's bar. */
const FAMILY_BAR: Record<RoleFamily, string> = {
  engineering: 'technical depth: design choices, testing and how failures were handled',
  sales: 'numbers: pipeline, deal sizes, win rates and quota attainment',
  design: 'a process from research to shipped work, with critique and iteration',
  support: 'customer empathy together with resolution metrics (CSAT, response and resolution times)',
  operations: 'processes they improved, with before/after measures',
  other: 'concrete examples with their own contribution and a measurable result',
};

type BankItem = { id: string; criterion: string; question: string; strongAnswer: string };

/** Stage-level questions per role family, asked after the criterion questions. Placeholders: {title}. */
const BANK: Record<RoleFamily, Record<StageDepth, BankItem[]>> = {
  engineering: {
    screen: [
      {
        id: 'motivation',
        criterion: 'Motivation',
        question:
          'What draws you to this {title} role, and what kind of engineering work do you want more of in your next job?',
        strongAnswer:
          'Specific reasons tied to the role and the problems it solves; a clear idea of the work they want, consistent with their experience.',
      },
      {
        id: 'proudest-work',
        criterion: 'Track record',
        question:
          'Tell me about a piece of software you built that you are proud of. What was your part, and what did it change?',
        strongAnswer:
          'A concrete system, their own contribution separated from the team’s, and an outcome they can describe or measure.',
      },
    ],
    deep: [
      {
        id: 'system-design',
        criterion: 'System design',
        question:
          'Walk me through the architecture of a system you worked on. Where would it break first at ten times the load, and what would you change?',
        strongAnswer:
          'Clear mental model of the system, identifies real bottlenecks, proposes changes with explicit trade-offs.',
      },
      {
        id: 'incident',
        criterion: 'Operating in production',
        question:
          'Describe a production incident you were involved in: how it was found, how you diagnosed it, and what changed afterwards.',
        strongAnswer:
          'Calm, methodical diagnosis; owns their part; follow-up that prevents recurrence rather than blame.',
      },
      {
        id: 'code-review',
        criterion: 'Collaboration',
        question:
          'Tell me about a code review or design discussion where you disagreed with a colleague. How was it resolved?',
        strongAnswer: 'Argues from evidence, listens, and can accept or change a decision without friction.',
      },
    ],
  },
  sales: {
    screen: [
      {
        id: 'motivation',
        criterion: 'Motivation',
        question:
          'What draws you to this {title} role, and what kind of customers and deals do you want to work on next?',
        strongAnswer: 'Specific interest in the product and market; a realistic picture of the sales motion they want.',
      },
      {
        id: 'best-deal',
        criterion: 'Track record',
        question:
          'Tell me about the deal you are proudest of: the customer, the size, the cycle length and your part in closing it.',
        strongAnswer: 'Concrete numbers, a clear account of their own actions, and honest credit to others involved.',
      },
    ],
    deep: [
      {
        id: 'pipeline',
        criterion: 'Pipeline management',
        question:
          'Walk me through how you built and managed your pipeline last quarter. Where did deals stall, and what did you do about it?',
        strongAnswer: 'Knows their numbers, qualifies rigorously, acts early on stalled deals.',
      },
      {
        id: 'lost-deal',
        criterion: 'Learning from losses',
        question:
          'Tell me about a deal you lost that you expected to win. What happened, and what do you do differently now?',
        strongAnswer:
          'Honest analysis without blaming the customer or the product; a concrete change in their approach.',
      },
      {
        id: 'objection',
        criterion: 'Handling objections',
        question: 'A prospect says our price is twice what a competitor charges. How do you handle the conversation?',
        strongAnswer:
          'Asks questions before defending, ties value to the customer’s own goals, does not discount by reflex.',
      },
    ],
  },
  design: {
    screen: [
      {
        id: 'motivation',
        criterion: 'Motivation',
        question: 'What draws you to this {title} role, and what kind of design problems do you want to work on next?',
        strongAnswer:
          'Specific interest in the product and its users; clarity about the design work they want to grow in.',
      },
      {
        id: 'portfolio-piece',
        criterion: 'Track record',
        question: 'Pick one project from your portfolio and tell me the problem, your role and what changed for users.',
        strongAnswer: 'Frames the user problem, separates their contribution from the team’s, and names an outcome.',
      },
    ],
    deep: [
      {
        id: 'process',
        criterion: 'Design process',
        question:
          'Walk me through a project from first research to shipped design. What did you learn from users that changed your direction?',
        strongAnswer: 'Evidence-driven decisions, iteration in response to research, and awareness of constraints.',
      },
      {
        id: 'critique',
        criterion: 'Critique and collaboration',
        question:
          'Tell me about a time an engineer or product manager pushed back on your design. How did you respond?',
        strongAnswer: 'Open to critique, defends decisions with reasoning, finds solutions that respect constraints.',
      },
      {
        id: 'accessibility',
        criterion: 'Accessibility',
        question: 'How have you made a design accessible to people using screen readers or keyboard navigation?',
        strongAnswer: 'Concrete practices (contrast, focus order, semantics, testing with assistive technology).',
      },
    ],
  },
  support: {
    screen: [
      {
        id: 'motivation',
        criterion: 'Motivation',
        question: 'What draws you to this {title} role, and what do you enjoy most about helping customers?',
        strongAnswer:
          'Genuine interest in solving customer problems and in the product; realistic view of support work.',
      },
      {
        id: 'hard-ticket',
        criterion: 'Track record',
        question:
          'Tell me about a difficult customer issue you resolved. What made it hard, and how did you get to a resolution?',
        strongAnswer: 'Structured troubleshooting, clear communication with the customer, and appropriate escalation.',
      },
    ],
    deep: [
      {
        id: 'upset-customer',
        criterion: 'Handling frustrated customers',
        question:
          'Describe a conversation with a frustrated customer that went well in the end. What did you say, and why?',
        strongAnswer: 'Acknowledges the frustration, takes ownership, sets clear expectations and follows through.',
      },
      {
        id: 'feedback-loop',
        criterion: 'Improving the product',
        question: 'Tell me about a time you turned recurring support issues into a product or documentation change.',
        strongAnswer: 'Spots patterns, quantifies them, and works with other teams to remove the root cause.',
      },
      {
        id: 'prioritising',
        criterion: 'Prioritisation',
        question:
          'Your queue has an outage report, two billing disputes and twenty how-to questions. How do you work through it?',
        strongAnswer:
          'Prioritises by impact and urgency, communicates proactively, uses macros or docs for the routine cases.',
      },
    ],
  },
  operations: {
    screen: [
      {
        id: 'motivation',
        criterion: 'Motivation',
        question: 'What draws you to this {title} role, and which parts of operations work do you want to own next?',
        strongAnswer: 'Specific interest in the role’s scope; a clear view of the work they do best.',
      },
      {
        id: 'process-win',
        criterion: 'Track record',
        question:
          'Tell me about a process you improved. What was broken, what did you change, and how did you know it worked?',
        strongAnswer: 'Diagnoses before fixing, brings others along, and shows a before/after measure.',
      },
    ],
    deep: [
      {
        id: 'tradeoff',
        criterion: 'Judgement',
        question:
          'Describe a time you had to choose between speed and accuracy in an operational decision. What did you choose and why?',
        strongAnswer: 'Weighs risks explicitly, involves the right stakeholders, revisits the decision with data.',
      },
      {
        id: 'stakeholders',
        criterion: 'Stakeholder management',
        question:
          'Tell me about a project where teams had competing priorities. How did you reach a plan everyone followed?',
        strongAnswer: 'Makes trade-offs visible, communicates early, and follows through on commitments.',
      },
      {
        id: 'metrics',
        criterion: 'Measurement',
        question: 'Which metrics did you track in your last role, and what is one decision they changed?',
        strongAnswer: 'Meaningful metrics, not vanity ones, and a concrete decision driven by them.',
      },
    ],
  },
  other: {
    screen: [
      {
        id: 'motivation',
        criterion: 'Motivation',
        question: 'What draws you to this {title} role, and what do you want to do more of in your next job?',
        strongAnswer: 'Specific reasons tied to the role; goals consistent with their experience.',
      },
      {
        id: 'proudest-work',
        criterion: 'Track record',
        question:
          'Tell me about the piece of work you are proudest of. What was your part, and what difference did it make?',
        strongAnswer: 'A concrete example, their own contribution, and a result they can describe or measure.',
      },
    ],
    deep: [
      {
        id: 'challenge',
        criterion: 'Problem solving',
        question: 'Describe the hardest problem you solved in the last two years. How did you approach it?',
        strongAnswer:
          'Structured approach, considered alternatives, and an honest account of what worked and what did not.',
      },
      {
        id: 'feedback',
        criterion: 'Learning',
        question: 'Tell me about critical feedback you received at work and what you changed because of it.',
        strongAnswer: 'Takes feedback seriously, describes a real change in behaviour.',
      },
    ],
  },
};

type Target = { result: CriterionResult; reason: InterviewQuestion['reason'] };

/** Order: gaps on must-haves, other gaps, unclear, then met criteria by importance. */
export function questionTargets(match: MatchResult): Target[] {
  const byImportance = (a: CriterionResult, b: CriterionResult) =>
    Number(b.criterion.mustHave) - Number(a.criterion.mustHave) || b.criterion.weight - a.criterion.weight;
  const gaps = match.criteria.filter((c) => c.status === 'not-met' || c.status === 'partly').sort(byImportance);
  const unclear = match.criteria.filter((c) => c.status === 'unclear').sort(byImportance);
  const core = match.criteria.filter((c) => c.status === 'met').sort(byImportance);
  return [
    ...gaps.map((result) => ({ result, reason: 'gap' as const })),
    ...unclear.map((result) => ({ result, reason: 'unclear' as const })),
    ...core.map((result) => ({ result, reason: 'core' as const })),
  ];
}

function topic(c: Criterion): string {
  return c.text.replace(/[.;:]+$/, '').trim();
}

function criterionQuestion(
  target: Target,
  depth: StageDepth,
  family: RoleFamily,
  askCandidate: Map<string, string>,
  candidate: CandidateInput,
): { question: string; strongAnswer: string } {
  const c = target.result.criterion;
  const t = topic(c);
  const bar = FAMILY_BAR[family];
  if (target.reason === 'unclear' && depth === 'screen') {
    const fromMatch = askCandidate.get(c.id);
    return {
      question:
        fromMatch ??
        `Your resume doesn’t say much about this requirement: “${t}”. What experience do you have with it, and in what context?`,
      strongAnswer: `Names a concrete context (project, employer, duration) where they met “${t}”, or is candid that they have not.`,
    };
  }
  // A gap question names what is missing and what the resume does show (question-writing.ts).
  if (target.reason === 'gap') return gapQuestion(target.result, depth, bar, candidate);
  const byKind: Record<Criterion['kind'], [string, string]> = {
    skill: [
      `Briefly, what is the most substantial thing you have done involving “${t}”?`,
      `Pick a project where “${t}” was central. Walk me through the decisions you made, the alternatives you rejected, and what you would do differently today.`,
    ],
    experience: [
      `Tell me about the experience you have that matches “${t}”. What was your role and scope?`,
      `Thinking of “${t}”: describe a situation where that experience made the difference. What did you do, and what was the result?`,
    ],
    education: [
      `The posting lists “${t}”. How has your education or equivalent experience prepared you for this work?`,
      `How do you apply what you learned (“${t}”, or equivalent experience) to day-to-day problems? Give a recent example.`,
    ],
    language: [
      `The role involves “${t}”. Can you describe a recent work situation where you used it?`,
      `Tell me about a time you had to explain something complex to a colleague or customer in the setting the role requires (“${t}”).`,
    ],
    other: [
      `How does your experience relate to “${t}”?`,
      `Tell me about a time your work involved “${t}”. What did you do, and what came of it?`,
    ],
  };
  const [screenQ, deepQ] = byKind[c.kind];
  return {
    question: depth === 'screen' ? screenQ : deepQ,
    strongAnswer:
      depth === 'screen'
        ? `A specific example with their own contribution and scope, consistent with the resume.`
        : `A specific example with their own decisions and trade-offs and a measurable result; shows ${bar}.`,
  };
}

export function generateQuestionsLocal(
  posting: PostingInput,
  candidate: CandidateInput,
  match: MatchResult,
  stage: string,
  opts: { now?: () => Date } = {},
): InterviewQuestions {
  const startedAt = performance.now();
  const now = opts.now ?? (() => new Date());
  const family = roleFamilyOf(posting);
  const depth = stageDepth(stage);
  const maxCriterionQuestions = depth === 'screen' ? 4 : 7;
  const askCandidate = new Map(match.askCandidate.map((a) => [a.criterionId, a.question]));
  const questions: InterviewQuestion[] = [];
  for (const target of questionTargets(match).slice(0, maxCriterionQuestions)) {
    const q = criterionQuestion(target, depth, family, askCandidate, candidate);
    questions.push({
      id: `q${questions.length + 1}`,
      criterionId: target.result.criterion.id,
      criterion: target.result.criterion.text,
      question: q.question,
      strongAnswer: q.strongAnswer,
      reason: target.reason,
    });
  }
  for (const item of BANK[family][depth]) {
    questions.push({
      id: `q${questions.length + 1}`,
      criterionId: `bank:${family}:${item.id}`,
      criterion: item.criterion,
      question: item.question.replaceAll('{title}', posting.title),
      strongAnswer: item.strongAnswer,
      reason: 'core',
    });
  }
  return {
    stage,
    roleFamily: family,
    questions: withoutProhibited(questions),
    provenance: localProvenance({
      promptVersion: QUESTIONS_TEMPLATE_VERSION,
      inputHash: hashInput({
        capability: 'questions',
        posting,
        match: match.provenance.inputHash,
        criteria: match.criteria,
        stage,
      }),
      startedAt,
      now,
    }),
  };
}

/** Drops any question touching a protected characteristic and renumbers the rest. */
export function withoutProhibited(questions: InterviewQuestion[]): InterviewQuestion[] {
  return questions
    .filter((q) => !isProhibitedQuestion(q.question) && !isProhibitedQuestion(q.strongAnswer))
    .map((q, i) => ({ ...q, id: `q${i + 1}` }));
}
