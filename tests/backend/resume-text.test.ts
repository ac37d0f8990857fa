import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCandidate } from '../../backend/candidates/load-candidate.ts';
import { MAX_RESUME_BYTES, newestResumeText, textOfResumeFile } from '../../backend/candidates/resume-text.ts';
import { collect, type LeverClient } from '../../backend/lever/index.ts';
import { textToPdf } from '../../backend/lever-emulator/pdf.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { clientFor, testEmulator } from './lever-helpers.ts';

/**
 * Resume text from the uploaded file (Lever's API has no resume text field): PDF and DOCX are read with their line
 * breaks, plain text as is, anything unreadable falls back to Lever's parsed data and never fails the request.
 */

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

describe('textOfResumeFile', () => {
  it('reads a PDF line by line, across pages, with non-ASCII characters', async () => {
    const lines = Array.from({ length: 70 }, (_, i) => `Line ${i + 1}: Python, PostgreSQL — Zürich (C++) \\ 100%`);
    const got = await textOfResumeFile(textToPdf(lines.join('\n')));
    expect(got?.kind).toBe('pdf');
    const read = got?.text.split('\n').filter((l) => l.trim()) ?? [];
    expect(read).toEqual(lines);
  });

  it('reads a DOCX one line per paragraph', async () => {
    const got = await textOfResumeFile(fs.readFileSync(path.join(FIXTURES, 'resume.docx')));
    expect(got).toEqual({
      kind: 'docx',
      text: 'Sam Rivera\nSenior Data Engineer\nBuilt Airflow pipelines on AWS moving 2 TB a day\nSkills: Python, SQL, Spark, dbt',
    });
  });

  it('takes plain text as is', async () => {
    expect(await textOfResumeFile(Buffer.from('Ada\nRust, Go\n'))).toEqual({ kind: 'text', text: 'Ada\nRust, Go\n' });
  });

  it('returns null (fall back to parsed data) for unreadable, empty, legacy or oversized files', async () => {
    const legacyDoc = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    expect(await textOfResumeFile(legacyDoc)).toBeNull();
    expect(await textOfResumeFile(Buffer.from('%PDF-1.4\nthis is not really a pdf'))).toBeNull();
    expect(await textOfResumeFile(Buffer.from('PK\u0003\u0004 truncated zip word/document.xml'))).toBeNull();
    expect(await textOfResumeFile(Buffer.alloc(0))).toBeNull();
    expect(await textOfResumeFile(textToPdf(''))).toBeNull();
    expect(await textOfResumeFile(Buffer.alloc(MAX_RESUME_BYTES + 1, 'a'))).toBeNull();
  });
});

describe('resumes from Lever (emulator)', () => {
  let emu: EmulatorHandle;
  let lever: LeverClient;
  beforeAll(async () => {
    emu = await testEmulator({ opportunities: 30 });
    lever = clientFor(emu);
  });
  afterAll(() => emu?.close());

  async function oppWithResume(ext: 'pdf' | 'txt'): Promise<string> {
    for (const o of await collect(lever.listOpportunities({}))) {
      const [r] = await collect(lever.listResumes(o.id));
      if (r?.file?.name?.endsWith(`.${ext}`)) return o.id;
    }
    throw new Error(`the emulator seeded no .${ext} resume`);
  }

  it('serves some résumés as PDF, and Fulcrum reads their text rather than the thinner parsed data', async () => {
    const id = await oppWithResume('pdf');
    const [resume] = await collect(lever.listResumes(id));
    const file = await lever.downloadResume(id, resume!.id);
    expect(file.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await newestResumeText(lever, id);
    // The skills and summary exist only in the file, not in parsedData (positions and schools).
    expect(text).toMatch(/^SUMMARY$/m);
    expect(text).toMatch(/^SKILLS\n.+/m);
    expect(await newestResumeText(lever, id, { download: false })).not.toMatch(/SKILLS/);
  });

  it('the candidate context the AI scores is built from the PDF text', async () => {
    const id = await oppWithResume('pdf');
    const loaded = await loadCandidate(lever, id);
    expect(loaded.candidate.resumeText).toMatch(/^SKILLS$/m);
  });
});
