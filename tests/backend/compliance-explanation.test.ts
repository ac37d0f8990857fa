import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCandidate } from '../../backend/candidates/load-candidate.ts';
import { quotesIn } from '../../backend/compliance/explanation.ts';
import { MatchResultSchema } from '../../utils/contracts/ai.ts';
import { DEFAULT_COMPLIANCE_SETTINGS, ExplanationSchema } from '../../utils/contracts/compliance.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * Explanations from the recorded assessment: the real app, SQLite and the Lever emulator. The check that matters: every
 * quoted passage in the explanation occurs, word for word, in the résumé (or application answers) Lever holds.
 */

let h: Harness;
const assessed: Array<{ id: string; resume: string; application: string }> = [];

beforeAll(async () => {
  h = await makeHarness({ emulator: { opportunities: 50 } });
  for (const id of await h.opportunityIds(30)) {
    const res = await h.call('POST', `/api/candidates/${id}/match`, { body: {} });
    if (res.status !== 200) continue;
    const m = MatchResultSchema.parse(await res.json());
    if (!m.criteria.some((c) => c.evidence.some((e) => e.source === 'resume'))) continue;
    const cand = await loadCandidate(h.lever, id);
    assessed.push({ id, resume: cand.candidate.resumeText, application: cand.candidate.applicationText ?? '' });
    if (assessed.length >= 4) break;
  }
  if (assessed.length < 3) throw new Error('the emulator gave too few assessed candidates with evidence');
}, 120_000);
afterAll(async () => h.close());

const explain = async (id: string, format = 'json', token?: string) =>
  h.call('GET', `/api/candidates/${id}/explanation?format=${format}`, token ? { token } : {});

describe('explanation of an automated assessment', () => {
  it('quotes only passages that occur in the source résumé or application, and each criterion has an outcome', async () => {
    for (const a of assessed) {
      const res = await explain(a.id);
      expect(res.status).toBe(200);
      const e = ExplanationSchema.parse(await res.json());
      const quotes = quotesIn(e.text);
      expect(quotes.length).toBeGreaterThan(0);
      for (const q of quotes) expect(a.resume.includes(q) || a.application.includes(q), q).toBe(true);
      for (const c of e.criteria) {
        for (const ev of c.evidence) {
          expect((ev.source === 'resume' ? a.resume : a.application).includes(ev.quote)).toBe(true);
        }
        expect(['met', 'partly met', 'not met', 'could not tell']).toContain(c.outcome);
        if (c.outcome !== 'met') expect(c.notFound).toBeTruthy();
      }
      // How to correct data or ask for a human review.
      expect(e.text).toMatch(/corrected or additional information/);
      expect(e.text).toMatch(/reviewed again by a person without the tool/);
    }
  });

  it('drops a recorded quote that is not in the résumé (a changed résumé or an altered record)', async () => {
    const a = assessed[1]!;
    const row = h.store.sqlite
      .prepare("SELECT rowid, result FROM ai_results WHERE opportunity_id = ? AND capability = 'match'")
      .get(a.id) as { rowid: number; result: string };
    const m = MatchResultSchema.parse(JSON.parse(row.result));
    const forged = 'Won the Nobel prize in chemistry twice';
    m.criteria[0]!.evidence.unshift({ source: 'resume', quote: forged, start: 0, end: forged.length });
    m.criteria[0]!.explanation = 'Says "ten years" of "Go"';
    h.store.sqlite.prepare('UPDATE ai_results SET result = ? WHERE rowid = ?').run(JSON.stringify(m), row.rowid);
    const e = ExplanationSchema.parse(await (await explain(a.id)).json());
    expect(e.text).not.toContain(forged);
    for (const q of quotesIn(e.text)) expect(a.resume.includes(q) || a.application.includes(q)).toBe(true);
  });

  it('shows no score unless an admin enables it', async () => {
    const a = assessed[0]!;
    const off = ExplanationSchema.parse(await (await explain(a.id)).json());
    expect(off.score).toBeNull();
    expect(off.text).not.toMatch(/of 100/);
    const put = await h.call('PUT', '/api/admin/compliance/settings', {
      token: h.adminToken,
      body: { ...DEFAULT_COMPLIANCE_SETTINGS, explanationsShowScores: true, contactEmail: 'jobs@acme.example' },
    });
    expect(put.status).toBe(200);
    const on = ExplanationSchema.parse(await (await explain(a.id)).json());
    expect(on.score).not.toBeNull();
    expect(on.text).toMatch(/Overall: [\d.]+ of 100/);
    expect(on.text).toContain('jobs@acme.example');
    const denied = await h.call('PUT', '/api/admin/compliance/settings', {
      body: { ...DEFAULT_COMPLIANCE_SETTINGS, explanationsShowScores: true },
    });
    expect(denied.status).toBe(403);
    await h.call('PUT', '/api/admin/compliance/settings', { token: h.adminToken, body: DEFAULT_COMPLIANCE_SETTINGS });
  });

  it('exports as text and as a PDF with the same content, and every export is audited', async () => {
    const a = assessed[2]!;
    const count = () =>
      (
        h.store.sqlite
          .prepare("SELECT count(*) AS n FROM audit_log WHERE opportunity_id = ? AND action = 'compliance.explanation'")
          .get(a.id) as { n: number }
      ).n;
    const before = count();
    const text = await explain(a.id, 'text');
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await text.text();
    expect(body).toMatch(/^How the automated assessment of your application went/);
    expect(body).not.toMatch(/^#/m);
    for (const q of quotesIn(body)) expect(a.resume.includes(q) || a.application.includes(q)).toBe(true);

    const pdf = await explain(a.id, 'pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const { text: pages } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
    expect(pages).toContain('Requirement 1');
    expect(pages).toContain('If something is wrong or missing');
    expect(count()).toBe(before + 2);
  });

  it('a candidate Fulcrum never assessed has nothing to explain (409); a bad format is a 400', async () => {
    const never = (await h.opportunityIds(45)).find((id) => !assessed.some((a) => a.id === id));
    const fresh = h.store.sqlite
      .prepare("SELECT count(*) AS n FROM ai_results WHERE opportunity_id = ? AND capability = 'match'")
      .get(never) as { n: number };
    if (fresh.n === 0) {
      const res = await explain(never!);
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/nothing to explain/);
    }
    expect((await explain(assessed[0]!.id, 'docx')).status).toBe(400);
  });
});
