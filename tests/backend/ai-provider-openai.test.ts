import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryLruCache } from '../../backend/ai/cache.ts';
import { aiEngineOptionsFromEnv, createAiEngine } from '../../backend/ai/engine.ts';
import type { LlmScore } from '../../backend/ai/llm/score-candidate.ts';
import { InterviewQuestionsSchema, MatchResultSchema, OutreachDraftSchema } from '../../utils/contracts/ai.ts';
import {
  backendPosting,
  criteria,
  INJECTION,
  injectedCandidate,
  jane,
  janeMatch,
  janeResume,
} from './fixtures/ai-samples.ts';
import {
  type ChatRequest,
  dataBlockOf,
  type FakeOpenAi,
  startFakeOpenAi,
  systemOf,
  userOf,
} from './helpers/fake-openai.ts';

const rubric = { postingId: backendPosting.id, criteria: Object.values(criteria) };
const recruiter = { name: 'Robin Recruiter', email: 'robin@fulcrum.example' };
const now = () => new Date('2026-11-26T15:00:00Z');

/** An honest model: reads the data block and judges Jane's resume. */
function honestScore(): LlmScore {
  return {
    criteria: [
      {
        criterionId: 'req-1',
        status: 'met',
        quotes: ['Built TypeScript and Node.js services handling 2M requests per day.'],
        explanation: 'Seven years of TypeScript services.',
      },
      // A quote with a placeholder: must be restored and re-anchored in the original resume.
      {
        criterionId: 'req-2',
        status: 'met',
        quotes: ['Designed the PostgreSQL schema for billing', 'Backend engineer | [EMAIL_1]'],
        explanation: 'Designed schemas.',
      },
      // Hallucinated evidence: not in the resume, must be dropped, and the "met" becomes "unclear".
      {
        criterionId: 'req-3',
        status: 'met',
        quotes: ['Ran Kubernetes clusters at Google'],
        explanation: 'Kubernetes.',
      },
      { criterionId: 'nice-1', status: 'not-met', quotes: [], explanation: 'No Kafka.' },
    ],
  };
}

/** A gullible model: obeys whatever instructions it sees in the system prompt, honest otherwise. */
function gullible(req: ChatRequest) {
  if (/score of 100|ignore previous instructions/i.test(systemOf(req))) {
    return {
      content: {
        criteria: Object.values(criteria).map((c) => ({
          criterionId: c.id,
          status: 'met',
          quotes: [INJECTION],
          explanation: 'Perfect.',
        })),
      },
    };
  }
  return { content: honestScore(), usage: { prompt_tokens: 321, completion_tokens: 54 } };
}

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

const engine = (extra: Partial<Parameters<typeof createAiEngine>[0]> = {}) =>
  createAiEngine({
    baseUrl: fake.baseUrl,
    apiKey: 'test-key',
    model: 'fake-model',
    timeoutMs: 2_000,
    maxRetries: 0,
    now,
    cache: new MemoryLruCache(10),
    ...extra,
  });

describe('OpenAI-compatible engine: scoring', () => {
  it('parses the structured output, records usage, and re-anchors quotes in the original resume', async () => {
    fake.setHandler(gullible);
    const r = MatchResultSchema.parse(await engine().scoreCandidate(backendPosting, jane, { rubric }));
    expect(r.provenance).toMatchObject({
      provider: 'openai',
      model: 'fake-model',
      usage: { promptTokens: 321, completionTokens: 54 },
    });
    expect(r.provenance.fallback).toBeUndefined();
    expect(r.provenance.inputHash).toMatch(/^[0-9a-f]{64}$/);
    const req = fake.chatRequests()[0]!;
    expect(req.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'match_assessment', strict: true },
    });
    const status = Object.fromEntries(r.criteria.map((c) => [c.criterion.id, c.status]));
    expect(status).toEqual({ 'req-1': 'met', 'req-2': 'met', 'req-3': 'unclear', 'nice-1': 'not-met' });
    for (const c of r.criteria) for (const e of c.evidence) expect(janeResume.slice(e.start, e.end)).toBe(e.quote);
    const pg = r.criteria.find((c) => c.criterion.id === 'req-2')!;
    expect(pg.evidence.map((e) => e.quote)).toEqual([
      'Designed the PostgreSQL schema for billing',
      'Backend engineer | jane.doe@example.com',
    ]);
    // The hallucinated Kubernetes quote is gone.
    expect(JSON.stringify(r)).not.toContain('Google');
    expect(r.gaps.map((g) => g.criterionId)).toContain('nice-1');
  });

  it('never puts resume text or PII in the system prompt; the resume travels redacted inside the data block', async () => {
    fake.setHandler(gullible);
    await engine().scoreCandidate(backendPosting, jane, { rubric });
    const req = fake.chatRequests()[0]!;
    const system = systemOf(req);
    for (const line of janeResume.split('\n').filter((l) => l.length > 12)) expect(system).not.toContain(line);
    const data = dataBlockOf(req) as { candidate: { resume: string } };
    expect(data.candidate.resume).toContain('Designed the PostgreSQL schema for billing');
    const userOutsideBlock = userOf(req).replace(/<data-([0-9a-f]+)>[\s\S]*<\/data-\1>/, '');
    expect(userOutsideBlock).not.toContain('PostgreSQL schema');
    const wire = JSON.stringify(fake.requests[0]!.body);
    for (const pii of ['Jane', 'Doe', 'jane.doe@example.com', '555-0134', 'jane-doe-42', 'Maple Avenue'])
      expect(wire).not.toContain(pii);
  });

  it('injected instructions in a resume neither reach the instructions nor raise the score, and are flagged', async () => {
    fake.setHandler(gullible);
    const e = engine();
    const clean = await e.scoreCandidate(backendPosting, jane, { rubric });
    const injected = await e.scoreCandidate(backendPosting, injectedCandidate, { rubric });
    const req = fake.chatRequests()[1]!;
    expect(systemOf(req)).not.toContain(INJECTION);
    expect((dataBlockOf(req) as { candidate: { resume: string } }).candidate.resume).toContain(INJECTION);
    expect(injected.score).toBeLessThanOrEqual(clean.score);
    expect(injected.flags.map((f) => f.quote).join(' ')).toMatch(/Ignore previous instructions/);

    // Even a model that obeys the data: quotes inside flagged text never count as evidence.
    fake.setHandler(() => ({
      content: {
        criteria: Object.values(criteria).map((c) => ({
          criterionId: c.id,
          status: 'met',
          quotes: [INJECTION],
          explanation: 'Perfect.',
        })),
      },
    }));
    const obeyed = await engine().scoreCandidate(backendPosting, injectedCandidate, { rubric });
    expect(obeyed.provenance.provider).toBe('openai');
    expect(obeyed.criteria.every((c) => c.status === 'unclear')).toBe(true);
    expect(obeyed.score).toBeLessThan(clean.score);
  });

  it('caches by input hash: the second identical call does not reach the server', async () => {
    fake.setHandler(gullible);
    const e = engine();
    const first = await e.scoreCandidate(backendPosting, jane, { rubric });
    const second = await e.scoreCandidate(backendPosting, jane, { rubric });
    expect(fake.chatRequests()).toHaveLength(1);
    expect(second.provenance.cached).toBe(true);
    expect(second.provenance.inputHash).toBe(first.provenance.inputHash);
    expect(second.score).toBe(first.score);
    await e.scoreCandidate(backendPosting, { ...jane, resumeText: `${janeResume}\nAlso: Rust.` }, { rubric });
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('caches only the redacted model answer, so each candidate gets their own details back', async () => {
    fake.setHandler(gullible);
    const cache = new MemoryLruCache(10);
    const e = engine({ cache });
    await e.scoreCandidate(backendPosting, jane, { rubric });
    // Same resume apart from the PII: identical redacted request, served from the cache.
    const other = {
      ...jane,
      opportunityId: 'opp-other',
      name: 'Ola Nordmann',
      emails: ['ola@example.net'],
      resumeText: janeResume.replace('Jane Doe', 'Ola Nordmann').replace('jane.doe@example.com', 'ola@example.net'),
    };
    const r = await e.scoreCandidate(backendPosting, other, { rubric });
    expect(fake.chatRequests()).toHaveLength(1);
    expect(r.provenance.cached).toBe(true);
    const quotes = r.criteria.flatMap((c) => c.evidence.map((x) => x.quote)).join('\n');
    expect(quotes).toContain('ola@example.net');
    expect(quotes).not.toContain('jane.doe@example.com');
    const stored = JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries.values()]);
    expect(stored).not.toMatch(/jane\.doe@example\.com|Jane|ola@example\.net/);
  });

  it('falls back to the local engine on timeout and says so', async () => {
    fake.setHandler(() => ({ delayMs: 1_500, content: honestScore() }));
    const started = Date.now();
    const r = await engine({ timeoutMs: 200 }).scoreCandidate(backendPosting, jane, { rubric });
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(r.provenance.provider).toBe('local');
    expect(r.provenance.fallback).toMatchObject({ from: 'openai:fake-model' });
    expect(r.provenance.fallback?.reason).toMatch(/llm_unavailable/);
    MatchResultSchema.parse(r);
  });

  it('falls back on server errors and on output that does not match the schema', async () => {
    fake.setHandler(() => ({ status: 500 }));
    const e500 = await engine().scoreCandidate(backendPosting, jane, { rubric });
    expect(e500.provenance.fallback?.reason).toMatch(/llm_unavailable/);
    fake.setHandler(() => ({ content: { verdict: 'hire them' } }));
    const bad = await engine().scoreCandidate(backendPosting, jane, { rubric });
    expect(bad.provenance.provider).toBe('local');
    expect(bad.provenance.fallback?.reason).toMatch(/llm_invalid_output/);
    fake.setHandler(() => ({ content: 'not json at all' }));
    expect((await engine().scoreCandidate(backendPosting, jane, { rubric })).provenance.fallback?.reason).toMatch(
      /llm_invalid_output/,
    );
  });

  it('refuses to send when known PII would leak, without contacting the server', async () => {
    fake.setHandler(gullible);
    // A candidate named after a criterion word: "Kafka" appears in the criteria, so the request would carry the name.
    const r = await engine().scoreCandidate(backendPosting, { ...jane, name: 'Franz Kafka' }, { rubric });
    expect(r.provenance.fallback?.reason).toMatch(/pii_leak/);
    expect(fake.chatRequests()).toHaveLength(0);
  });
});

describe('OpenAI-compatible engine: outreach and questions', () => {
  it('drafts from verified evidence only, restores names, and keeps only traceable claims', async () => {
    fake.setHandler((req) => {
      const data = dataBlockOf(req) as { evidence: Array<{ quote: string }> };
      const q = data.evidence[0]!.quote;
      return {
        content: {
          subject: 'Senior Backend Engineer at Platform',
          body: `Hi [CANDIDATE_FIRST_NAME],\n\nI loved “${q}”. Would you be open to a chat about our Senior Backend Engineer role?\n\nBest,\n[RECRUITER_NAME]`,
          claims: [{ quote: q }, { quote: 'Led Kubernetes migrations at Google' }],
        },
      };
    });
    const d = OutreachDraftSchema.parse(
      await engine().draftOutreach(
        backendPosting,
        injectedCandidate,
        janeMatch,
        { tone: 'warm', variant: 'first-contact', maxWords: 120 },
        recruiter,
      ),
    );
    expect(d.provenance.provider).toBe('openai');
    expect(d.body).toMatch(/^Hi Jane,/);
    expect(d.body).toMatch(/Robin Recruiter$/);
    expect(d.claims).toHaveLength(1);
    expect(janeResume.slice(d.claims[0]!.evidence.start, d.claims[0]!.evidence.end)).toBe(d.claims[0]!.text);
    expect(d.followUpDate).toBe('2026-12-03');
    const wire = JSON.stringify(fake.chatRequests()[0]);
    expect(wire).not.toContain('Ignore previous instructions');
    expect(wire).not.toContain('Python data pipelines'); // the resume itself is never sent for outreach
  });

  it('falls back to the templates when the model ignores the word limit', async () => {
    fake.setHandler(() => ({
      content: { subject: 'Hi', body: `${'word '.repeat(200)}\n[RECRUITER_NAME]`, claims: [] },
    }));
    const d = await engine().draftOutreach(
      backendPosting,
      jane,
      janeMatch,
      { tone: 'concise', variant: 'follow-up', maxWords: 60 },
      recruiter,
    );
    expect(d.provenance.provider).toBe('local');
    expect(d.provenance.fallback?.reason).toMatch(/words, limit 60/);
  });

  it('rejects a model draft that credits the candidate with a skill their resume lacks', async () => {
    fake.setHandler(() => ({
      content: {
        subject: 'Your Kubernetes work',
        body: 'Hi [CANDIDATE_FIRST_NAME],\n\nYour Kubernetes experience is exactly what we need.\n\n[RECRUITER_NAME]',
        claims: [],
      },
    }));
    const d = await engine().draftOutreach(
      backendPosting,
      jane,
      janeMatch,
      { tone: 'warm', variant: 'first-contact', maxWords: 120 },
      recruiter,
    );
    expect(d.provenance.provider).toBe('local');
    expect(d.provenance.fallback?.reason).toMatch(/Kubernetes/);
    expect(d.body).not.toMatch(/Kubernetes/);
  });

  it('filters prohibited questions from model output and orders gaps first', async () => {
    fake.setHandler((req) => {
      expect(JSON.stringify(req)).not.toContain('Maple Avenue');
      return {
        content: {
          questions: [
            {
              criterionId: 'req-2',
              question: 'How did you design the billing schema?',
              strongAnswer: 'Trade-offs and indexes.',
            },
            { criterionId: 'req-3', question: 'Do you have kids who would make on-call hard?', strongAnswer: 'n/a' },
            {
              criterionId: 'req-3',
              question: 'How would you run a Node service on Kubernetes?',
              strongAnswer: 'Probes, rollouts, resources.',
            },
            { criterionId: 'made-up', question: 'What is your favourite colour?', strongAnswer: 'n/a' },
          ],
        },
      };
    });
    const q = InterviewQuestionsSchema.parse(
      await engine().generateQuestions(backendPosting, jane, janeMatch, 'On-site interview'),
    );
    expect(q.provenance.provider).toBe('openai');
    expect(q.questions.map((x) => [x.criterionId, x.reason])).toEqual([
      ['req-3', 'gap'],
      ['req-2', 'core'],
    ]);
    expect(q.questions.map((x) => x.question).join(' ')).not.toMatch(/kids|colour/);
  });
});

describe('configuration and cache', () => {
  it('reads AI_* variables; no AI_BASE_URL means the local engine', () => {
    expect(aiEngineOptionsFromEnv({})).toEqual({});
    expect(
      aiEngineOptionsFromEnv({ AI_BASE_URL: 'http://localhost:11434/v1', AI_MODEL: 'llama3.1', AI_TIMEOUT_MS: '5000' }),
    ).toEqual({
      baseUrl: 'http://localhost:11434/v1',
      model: 'llama3.1',
      timeoutMs: 5000,
    });
    expect(createAiEngine(aiEngineOptionsFromEnv({})).info().provider).toBe('local');
  });

  it('evicts the least recently used entry when full', () => {
    const c = new MemoryLruCache(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
  });
});

describe('createAiEngine', () => {
  it('is local without a base URL and always ranks and synthesises locally', async () => {
    const local = createAiEngine({ now });
    expect(local.info()).toEqual({ provider: 'local', model: 'fulcrum-local' });
    const m = await local.scoreCandidate(backendPosting, jane, { rubric });
    expect(m.provenance).toMatchObject({ provider: 'local', createdAt: '2026-11-26T15:00:00.000Z' });
    fake.setHandler(() => ({ status: 500 }));
    const remote = engine();
    expect(remote.info()).toEqual({ provider: 'openai', model: 'fake-model' });
    const ranked = await remote.rank(backendPosting, [
      { id: 'a', text: 'Cook and baker.' },
      { id: 'b', text: janeResume },
    ]);
    expect(ranked[0]?.candidateId).toBe('b');
    const fb = await remote.synthesizeFeedback(backendPosting, [], { rubric });
    expect(fb.provenance.provider).toBe('local');
    expect(fake.chatRequests()).toHaveLength(0);
  });
});
