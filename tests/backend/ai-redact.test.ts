import { describe, expect, it } from 'vitest';
import { PiiLeakError } from '../../backend/ai/errors.ts';
import { assertNoLeak, knownPiiOf, Redactor, redact, restore } from '../../backend/ai/redact.ts';
import { jane, janeResume } from './fixtures/ai-samples.ts';
import { generateCorpus, isCaught } from './fixtures/pii-corpus.ts';

describe('redact / restore', () => {
  it('replaces every kind of planted PII with stable placeholders and restores the original exactly', () => {
    const text = `${janeResume}\nTwitter: @janedoe_dev · Portfolio https://janedoe.dev/work · backup J.DOE@EXAMPLE.ORG, 030 901820\nJane also speaks at meetups.`;
    const { text: out, map } = redact(text, knownPiiOf(jane));
    for (const pii of [
      'Jane',
      'Doe',
      'jane.doe@example.com',
      '555-0134',
      'linkedin.com/in/jane-doe-42',
      '1234 Maple Avenue',
      '@janedoe_dev',
      'janedoe.dev',
      'J.DOE@EXAMPLE.ORG',
      '030 901820',
    ]) {
      expect(out, pii).not.toContain(pii);
    }
    expect(out).toMatch(/^\[CANDIDATE_NAME\]\n/);
    expect(out).toContain('[EMAIL_1]');
    expect(out).toContain('[PHONE_1]');
    expect(out).toContain('[URL_1]');
    expect(out).toContain('[ADDRESS_1]');
    expect(out).toContain('[HANDLE_1]');
    expect(restore(out, map)).toBe(text);
  });

  it('keeps the content the assessment needs', () => {
    const { text: out } = redact(janeResume, knownPiiOf(jane));
    for (const kept of [
      'TypeScript',
      'Node.js',
      'PostgreSQL',
      '2017 - 2024',
      '2014 - 2017',
      '60%',
      'Acme Corp',
      '2M requests per day',
      'Senior Software Engineer',
    ]) {
      expect(out, kept).toContain(kept);
    }
  });

  it('uses the same placeholder for the same value across texts of one candidate', () => {
    const r = new Redactor(knownPiiOf(jane));
    const a = r.redact('Contact jane.doe@example.com');
    const b = r.redact('Cover letter from Jane Doe (jane.doe@example.com)');
    expect(a).toBe('Contact [EMAIL_1]');
    expect(b).toBe('Cover letter from [CANDIDATE_NAME] ([EMAIL_1])');
  });

  it('only redacts capitalised name parts ("will" the verb stays)', () => {
    const { text } = redact('Will Turner\nI will bring energy. Will led the team.', { name: 'Will Turner' });
    expect(text).toBe('[CANDIDATE_NAME]\nI will bring energy. [CANDIDATE_NAME_2] led the team.');
  });

  it('handles non-ASCII names and labelled name fields', () => {
    const { text } = redact('Ólafur Järvinen\nName: Klea\nÓlafur led the ÓLAFUR project.', { name: 'Ólafur Järvinen' });
    expect(text).not.toMatch(/Ólafur|ÓLAFUR|Järvinen|Klea/);
    expect(text).toContain('led the');
  });

  it('catches planted PII across a generated corpus', () => {
    const corpus = generateCorpus(150, 7);
    const total: Record<string, [number, number]> = {};
    let restored = 0;
    let controlsKept = 0;
    let controls = 0;
    for (const doc of corpus) {
      const r = new Redactor(doc.known);
      const out = r.redact(doc.text);
      if (restore(out, r.redactionMap) === doc.text) restored++;
      for (const p of doc.planted) {
        const t = total[p.kind] ?? [0, 0];
        total[p.kind] = t;
        t[1]++;
        if (isCaught(out, p)) t[0]++;
      }
      for (const c of doc.controls) {
        controls++;
        if (out.includes(c)) controlsKept++;
      }
    }
    expect(restored).toBe(corpus.length);
    for (const [kind, [caught, n]] of Object.entries(total)) expect(caught / n, kind).toBeGreaterThanOrEqual(0.95);
    expect(controlsKept / controls).toBeGreaterThanOrEqual(0.98);
  });
});

describe('assertNoLeak', () => {
  const known = knownPiiOf(jane);

  it('throws a typed PiiLeakError when a known value is still present, in any spelling', () => {
    for (const leaky of [
      'mail JANE.DOE@example.com',
      'call 415 555 0134',
      'see linkedin.com/in/jane-doe-42',
      'by jane doe',
      'Doe wrote',
    ]) {
      let caught: unknown;
      try {
        assertNoLeak(leaky, known);
      } catch (err) {
        caught = err;
      }
      expect(caught, leaky).toBeInstanceOf(PiiLeakError);
      expect((caught as PiiLeakError).retryable).toBe(false);
      // The error never repeats the value it protects.
      expect((caught as Error).message).not.toMatch(/jane|doe|555/i);
    }
  });

  it('passes redacted text', () => {
    const { text } = redact(janeResume, known);
    expect(() => assertNoLeak(text, known)).not.toThrow();
  });
});
