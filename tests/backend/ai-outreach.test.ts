import { describe, expect, it } from 'vitest';
import { addBusinessDays, countWords, draftOutreachLocal } from '../../backend/ai/draft-outreach.ts';
import { OutreachDraftSchema, type OutreachVariant, type Tone } from '../../utils/contracts/ai.ts';
import {
  backendPosting,
  criteria,
  INJECTION,
  injectedCandidate,
  jane,
  janeMatch,
  janeResume,
  makeMatch,
} from './fixtures/ai-samples.ts';

const recruiter = { name: 'Robin Recruiter', email: 'robin@fulcrum.example' };
const now = () => new Date('2026-11-26T15:00:00Z'); // a Thursday
const tones: Tone[] = ['warm', 'concise', 'formal'];
const variants: OutreachVariant[] = ['first-contact', 're-engagement', 'follow-up'];

function draft(tone: Tone, variant: OutreachVariant, maxWords = 160, match = janeMatch, candidate = jane) {
  return draftOutreachLocal(backendPosting, candidate, match, { tone, variant, maxWords }, recruiter, { now });
}

describe('draftOutreachLocal', () => {
  it('personalises with claims that are exact slices of the resume and appear in the body', () => {
    for (const tone of tones) {
      for (const variant of variants) {
        const d = OutreachDraftSchema.parse(draft(tone, variant));
        expect(d.claims.length, `${tone}/${variant}`).toBeGreaterThan(0);
        for (const c of d.claims) {
          expect(janeResume.slice(c.evidence.start, c.evidence.end)).toBe(c.evidence.quote);
          expect(d.body).toContain(c.text);
        }
      }
    }
  });

  it('never credits the candidate with skills the resume lacks, even when the match claims them', () => {
    // A wrong match: says Kubernetes is met, with a "quote" that is not in the resume.
    const bogus = makeMatch([
      {
        criterion: criteria.k8s,
        status: 'met',
        evidence: [{ source: 'resume', quote: 'Ran Kubernetes clusters at Google', start: 0, end: 33 }],
      },
      {
        criterion: criteria.pg,
        status: 'met',
        evidence: [{ source: 'resume', quote: 'Designed the PostgreSQL schema for billing', start: 274, end: 316 }],
      },
    ]);
    for (const tone of tones) {
      const d = draft(tone, 'first-contact', 160, bogus);
      expect(d.body).not.toMatch(/Kubernetes|Google|Kafka/);
      expect(d.claims.map((c) => c.text).join(' ')).not.toMatch(/Kubernetes/);
      for (const c of d.claims) expect(janeResume.slice(c.evidence.start, c.evidence.end)).toBe(c.text);
    }
    // The gap in Jane's real match is not mentioned either.
    expect(draft('warm', 'first-contact').body).not.toMatch(/Kubernetes|Kafka/);
  });

  it('writes visibly different drafts per tone, all signed by the recruiter', () => {
    const bodies = tones.map((t) => draft(t, 'first-contact').body);
    expect(new Set(bodies).size).toBe(3);
    expect(bodies[0]).toMatch(/^Hi Jane,/);
    expect(bodies[2]).toMatch(/^Dear Jane Doe,/);
    for (const b of bodies) expect(b.trimEnd()).toMatch(/Robin Recruiter(\nrobin@fulcrum\.example)?$/);
    expect(countWords(bodies[1]!)).toBeLessThan(countWords(bodies[0]!));
    expect(new Set(tones.map((t) => draft(t, 'first-contact').subject)).size).toBe(3);
  });

  it('respects maxWords and keeps the greeting and signature', () => {
    for (const maxWords of [40, 55, 80, 160]) {
      for (const tone of tones) {
        for (const variant of variants) {
          const d = draft(tone, variant, maxWords);
          expect(countWords(d.body), `${tone}/${variant}/${maxWords}`).toBeLessThanOrEqual(maxWords);
          expect(d.body).toContain('Robin Recruiter');
          for (const c of d.claims) expect(d.body).toContain(c.text);
        }
      }
    }
  });

  it('re-engagement refers to the earlier application, first contact does not', () => {
    for (const tone of tones) {
      const d = draft(tone, 're-engagement');
      expect(d.body).toContain('Backend Engineer role');
      expect(d.body).toContain('March 2023');
    }
    expect(draft('warm', 'first-contact').body).not.toContain('March 2023');
    // No earlier application on record: no invented history.
    const fresh = draft('warm', 're-engagement', 160, janeMatch, { ...jane, previousApplications: [] });
    expect(fresh.body).not.toMatch(/applied for/);
  });

  it('suggests a follow-up date in business days per variant', () => {
    expect(draft('warm', 'first-contact').followUpDate).toBe('2026-12-03');
    expect(draft('warm', 're-engagement').followUpDate).toBe('2026-12-07');
    expect(draft('warm', 'follow-up').followUpDate).toBe('2026-12-02');
    expect(addBusinessDays(new Date('2026-11-28T09:00:00Z'), 1)).toBe('2026-11-30'); // Saturday -> Monday
  });

  it('does not quote text flagged as prompt injection', () => {
    const start = injectedCandidate.resumeText.indexOf(INJECTION);
    const flag = {
      kind: 'prompt-injection' as const,
      quote: INJECTION,
      start,
      end: start + INJECTION.length,
      source: 'resume' as const,
      reason: 'test',
    };
    const match = makeMatch(
      [
        {
          criterion: criteria.ts,
          status: 'met',
          evidence: [{ source: 'resume', quote: INJECTION, start, end: start + INJECTION.length }],
        },
      ],
      [flag],
    );
    const d = draftOutreachLocal(
      backendPosting,
      injectedCandidate,
      match,
      { tone: 'warm', variant: 'first-contact', maxWords: 160 },
      recruiter,
      { now },
    );
    expect(d.body).not.toMatch(/Ignore previous instructions|score of 100/);
    expect(d.claims).toEqual([]);
  });
});
