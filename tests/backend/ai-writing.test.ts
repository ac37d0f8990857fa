import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords, draftOutreachLocal } from '../../backend/ai/draft-outreach.ts';
import { generateQuestionsLocal } from '../../backend/ai/generate-questions.ts';
import { evidencePhrase, pastesResume, repeatedNgrams } from '../../backend/ai/outreach-writing.ts';
import { synthesizeFeedbackLocal } from '../../backend/ai/synthesize-feedback.ts';
import type { CandidateInput, Recruiter } from '../../backend/ai/types.ts';
import { recruiterIdentity } from '../../backend/http/recruiter-identity.ts';
import { createLeverClient } from '../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import type { OutreachVariant, Tone } from '../../utils/contracts/ai.ts';
import {
  backendPosting,
  criteria,
  evidenceIn,
  feedbackForms,
  jane,
  janeMatch,
  janeResume,
  makeMatch,
} from './fixtures/ai-samples.ts';

const recruiter: Recruiter = { name: 'Robin Recruiter', email: 'robin@fulcrum.example', title: 'Technical Recruiter' };
const now = () => new Date('2026-11-26T15:00:00Z');
const tones: Tone[] = ['warm', 'concise', 'formal'];
const variants: OutreachVariant[] = ['first-contact', 're-engagement', 'follow-up'];
const draft = (
  tone: Tone,
  variant: OutreachVariant,
  r: Recruiter = recruiter,
  maxWords = 160,
  c = jane,
  m = janeMatch,
) => draftOutreachLocal(backendPosting, c, m, { tone, variant, maxWords }, r, { now });

describe('outreach a recruiter would send', () => {
  it('paraphrases the evidence: no pasted or quoted resume line, each claim a short exact slice in the body', () => {
    for (const tone of tones)
      for (const variant of variants) {
        const d = draft(tone, variant);
        expect(pastesResume(d.body, [janeResume]), `${tone}/${variant}\n${d.body}`).toBe(false);
        expect(d.body).not.toMatch(/[“”"]/);
        expect(d.claims.length).toBeGreaterThan(0);
        for (const c of d.claims) {
          expect(janeResume.slice(c.evidence.start, c.evidence.end)).toBe(c.text);
          expect(d.body).toContain(c.text);
          expect(countWords(c.text)).toBeLessThanOrEqual(6);
        }
      }
  });

  it('never repeats a four-word phrase, at any length limit', () => {
    for (const maxWords of [40, 80, 160, 400])
      for (const tone of tones)
        for (const variant of variants) {
          const d = draft(tone, variant, recruiter, maxWords);
          expect(repeatedNgrams(d.body), `${tone}/${variant}/${maxWords}\n${d.body}`).toEqual([]);
          expect(countWords(d.body)).toBeLessThanOrEqual(maxWords);
        }
  });

  it('greets and signs with the recruiter’s name and Lever title', () => {
    const warm = draft('warm', 'first-contact').body;
    expect(warm).toMatch(/^Hi Jane,/);
    expect(warm).toContain("I'm Robin, a technical recruiter here");
    expect(warm.trimEnd()).toMatch(/Warm regards,\nRobin Recruiter\nTechnical Recruiter$/);
    const formal = draft('formal', 'first-contact').body;
    expect(formal.trimEnd()).toMatch(/Kind regards,\nRobin Recruiter\nTechnical Recruiter\nrobin@fulcrum\.example$/);
  });

  it('never signs with an e-mail address as a name', () => {
    for (const tone of tones) {
      const d = draft(tone, 'first-contact', { name: 'robin@fulcrum.example', email: 'robin@fulcrum.example' });
      const lastLines = d.body.trimEnd().split('\n').slice(-2).join('\n');
      expect(lastLines).not.toContain('@');
      expect(lastLines).toMatch(/The Platform hiring team$/);
      expect(d.body).not.toMatch(/I'm robin@|My name is robin@/);
    }
  });

  it('first contact, re-engagement and follow-up read differently', () => {
    for (const tone of tones) {
      const drafts = variants.map((v) => draft(tone, v));
      const bodies = drafts.map((d) => d.body.split('\n\n')[1]!);
      // Facts may repeat (the role, the requirements, the candidate's phrases); the wording around them may not.
      const facts = [
        backendPosting.text,
        'the Senior Backend Engineer role on our Platform team',
        ...drafts.flatMap((d) => d.claims.map((c) => c.text)),
      ]
        .join(' | ')
        .toLowerCase();
      const firstSentences = bodies.map((b) => b.split(/(?<=[.?!])\s/)[0]);
      expect(new Set(firstSentences).size, tone).toBe(3);
      // Little shared wording beyond the role's name: few 5-word phrases in common between any two variants.
      const grams = (b: string) => {
        const w = b.toLowerCase().match(/[\p{L}\p{N}'+.]+/gu) ?? [];
        return new Set(w.slice(0, -4).map((_, i) => w.slice(i, i + 5).join(' ')));
      };
      for (let a = 0; a < 3; a++)
        for (let b = a + 1; b < 3; b++) {
          const shared = [...grams(bodies[a]!)].filter(
            (g) => grams(bodies[b]!).has(g) && !facts.includes(g.replace(/\.$/, '')),
          );
          expect(shared.length, `${tone}: ${variants[a]} vs ${variants[b]}: ${shared.join(' | ')}`).toBeLessThan(4);
        }
    }
  });

  it('turns a raw resume line into a phrase: the issue’s "Staff Engineer, Northpeak Software (Seattle, WA) — …"', () => {
    const resume =
      'Sam Park\nStaff Engineer, Northpeak Software (Seattle, WA) — Jul 2022 to Present\n- Led the payments platform team.';
    const line = 'Staff Engineer, Northpeak Software (Seattle, WA) — Jul 2022 to Present';
    const sam: CandidateInput = { ...jane, opportunityId: 'opp-sam', name: 'Sam Park', resumeText: resume };
    const m = makeMatch([{ criterion: criteria.ts, status: 'met', evidence: [evidenceIn(resume, line)] }]);
    const d = draft('warm', 'first-contact', recruiter, 160, sam, m);
    expect(d.body).not.toContain(line);
    expect(d.body).not.toContain('Northpeak Software (Seattle');
    expect(d.body).toContain('you worked as a Staff Engineer');
    expect(d.claims.map((c) => c.text)).toEqual(['Staff Engineer']);
    expect(pastesResume(d.body, [resume])).toBe(false);
  });

  it('finds the phrase of a verb line, a skills list and a role line as exact slices', () => {
    const text =
      'Skills: TypeScript, PostgreSQL, Docker\n- Designed the PostgreSQL schema for billing and cut query time.';
    const skills = evidenceIn(text, 'Skills: TypeScript, PostgreSQL, Docker');
    expect(evidencePhrase(text, skills, 'Strong experience with PostgreSQL')?.evidence.quote).toBe('PostgreSQL');
    const verb = evidencePhrase(text, evidenceIn(text, 'Designed the PostgreSQL schema for billing'), 'PostgreSQL');
    expect(verb).toMatchObject({ kind: 'action', verb: 'designed' });
    expect(verb?.evidence.quote).toBe('PostgreSQL schema');
    expect(text.slice(verb!.evidence.start, verb!.evidence.end)).toBe('PostgreSQL schema');
  });
});

describe('recruiter name and title come from Lever (real emulator over HTTP)', () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, opportunities: 3 });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('maps the recruiter by e-mail to the Lever user’s name and jobTitle, and signs the draft with them', async () => {
    const lever = createLeverClient({ baseUrl: emu.apiBaseUrl, auth: { kind: 'apiKey', apiKey: emu.apiKey } });
    const user = [...emu.context.store.users.values()].find((u) => u.jobTitle === 'Technical Recruiter')!;
    // The Fulcrum token has no name: the principal's name is the e-mail address, as in requireRecruiter.
    const who = await recruiterIdentity(lever, { email: user.email.toUpperCase(), name: user.email });
    expect(who).toEqual({ name: user.name, email: user.email.toUpperCase(), title: 'Technical Recruiter' });
    const body = draft('warm', 'first-contact', who).body;
    expect(body.trimEnd()).toMatch(new RegExp(`${user.name}\\nTechnical Recruiter$`));
    expect(body).not.toContain(user.email);
    const unknown = await recruiterIdentity(lever, { email: 'nobody@nowhere.example', name: 'nobody@nowhere.example' });
    expect(unknown).toEqual({ name: '', email: 'nobody@nowhere.example', title: null });
    expect(draft('concise', 'follow-up', unknown).body.trimEnd()).toMatch(/Best,\nThe Platform hiring team$/);
  });
});

describe('interview questions aimed at the gap', () => {
  it('names what is missing and asks something only that gap could prompt', () => {
    const m = makeMatch([
      { criterion: criteria.k8s, status: 'not-met' },
      {
        criterion: {
          id: 'req-years',
          text: '8+ years of experience with PostgreSQL',
          kind: 'experience',
          weight: 2,
          mustHave: true,
        },
        status: 'partly',
        evidence: [evidenceIn(janeResume, 'Designed the PostgreSQL schema for billing')],
      },
      { criterion: criteria.ts, status: 'met' },
    ]);
    for (const stage of ['Phone screen', 'On-site interview']) {
      const gaps = generateQuestionsLocal(backendPosting, jane, m, stage, { now }).questions.filter(
        (q) => q.reason === 'gap',
      );
      expect(gaps).toHaveLength(2);
      const [k8s, years] = gaps;
      expect(k8s!.question).toContain('your resume does not mention Kubernetes');
      expect(k8s!.strongAnswer).toContain('Kubernetes');
      expect(years!.question).toContain('your resume shows part of it (PostgreSQL schema)');
      // Not one template with the requirement swapped in: the asks differ.
      const ask = (q: string) => q.slice(q.indexOf('. ') + 2);
      expect(ask(k8s!.question)).not.toBe(ask(years!.question));
    }
  });
});

describe('feedback synthesis a hiring manager can decide from', () => {
  it('leads with the lean, names agreed strengths and what is open, in under 60 words', () => {
    const s = synthesizeFeedbackLocal(backendPosting, feedbackForms).consensus.summary;
    expect(s).toMatch(/^(?:Lean hire|Lean no hire|Split decision|No overall scores yet)/);
    expect(s).toContain('2 of 3 scored forms recommend hiring');
    expect(s).toMatch(/Before deciding: .*nobody assessed/);
    expect(countWords(s)).toBeLessThan(60);
    expect(s).not.toMatch(/\d\+ years of experience/);
  });
});
