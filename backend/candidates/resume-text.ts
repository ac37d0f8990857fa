import type { TextTruncation } from '../../utils/contracts/ai.ts';
import { boundText, inputLimits } from '../ai/bound-text.ts';
import { collect, LeverApiError, type LeverClient, type Resume } from '../lever/index.ts';
import { extractInSandbox } from '../sandbox/sandbox.ts';
import { type ExtractedText, extractResumeText, MAX_RESUME_BYTES, sniffResumeFile } from './extract-resume.ts';

/**
 * Resume text from the file a candidate uploaded. Lever's API has no plain-text field for a resume: `parsedData`
 * holds positions and schools only (no skills, no summary), so the file itself is where the evidence is. PDF (unpdf,
 * a packaged PDF.js) and DOCX (mammoth) are read in a sandbox worker with a time and memory budget
 * (sandbox/sandbox.ts); plain text is taken as is; anything else (legacy .doc, images, scans with no text layer)
 * falls back to the parsed data. Whatever the source, the text is within the input limits (ai/bound-text.ts).
 */

export type { ExtractedText, ResumeFileKind } from './extract-resume.ts';
export { MAX_PDF_PAGES, MAX_PDF_TOTAL_PAGES, MAX_RESUME_BYTES, sniffResumeFile } from './extract-resume.ts';

/**
 * The text of a downloaded resume file, or null when it has none we can read (the caller falls back to parsed
 * data): a corrupt file is "no text", never a failed request. A file over a structural limit (a zip bomb, thousands
 * of pages) or one that cannot be read within the sandbox's time or memory throws UnreadableResumeError.
 */
export async function textOfResumeFile(buf: Buffer): Promise<ExtractedText | null> {
  if (buf.length > MAX_RESUME_BYTES) return null;
  const kind = sniffResumeFile(buf);
  if (kind === 'other') return null;
  // Plain text costs one decode and one bounded scan: no worker needed.
  if (kind === 'text') return extractResumeText(buf, inputLimits());
  return extractInSandbox(buf, kind);
}

/** Lever's parsed positions and schools as lines: the fallback when the file has no readable text. */
export function resumeFromParsedData(r: Resume): string {
  const lines: string[] = [];
  for (const pos of r.parsedData?.positions ?? []) {
    lines.push(`${pos.title ?? ''} at ${pos.org ?? ''} (${ym(pos.start)} – ${ym(pos.end)})`.trim());
    if (pos.summary) lines.push(pos.summary);
  }
  for (const s of r.parsedData?.schools ?? []) {
    lines.push(`${[s.degree, s.field].filter(Boolean).join(', ')} — ${s.org ?? ''}`.trim());
    if (s.summary) lines.push(s.summary);
  }
  return lines.join('\n');
}

function ym(v: { year?: number | null; month?: number | null } | null | undefined): string {
  if (!v?.year) return 'present';
  return v.month ? `${v.year}-${String(v.month).padStart(2, '0')}` : String(v.year);
}

/**
 * The newest resume of an opportunity as text, and what was cut from it (ai/bound-text.ts): the downloaded file (PDF,
 * DOCX or text) when `download` is not false and it has text, else Lever's parsed data. A file Lever could not process
 * (422) or that is gone still has parsed data to fall back on; a retryable failure (429, 5xx, network) is thrown, so
 * the caller retries rather than settling for the thinner parsed data; so is UnreadableResumeError (see
 * textOfResumeFile), which is permanent.
 */
export async function newestResume(
  lever: LeverClient,
  opportunityId: string,
  opts: { download?: boolean } = {},
): Promise<{ text: string; truncation: TextTruncation | null }> {
  const resumes = await collect(lever.listResumes(opportunityId));
  resumes.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  const newest = resumes[0];
  if (!newest) return { text: '', truncation: null };
  if (opts.download !== false) {
    let file: ExtractedText | null = null;
    try {
      file = await textOfResumeFile(await lever.downloadResume(opportunityId, newest.id));
    } catch (e) {
      if (e instanceof LeverApiError && !e.retryable) file = null;
      else throw e;
    }
    if (file) return { text: file.text, truncation: file.truncation ?? null };
  }
  return boundText(resumeFromParsedData(newest), 'resume');
}

/** newestResume's text alone. */
export async function newestResumeText(
  lever: LeverClient,
  opportunityId: string,
  opts: { download?: boolean } = {},
): Promise<string> {
  return (await newestResume(lever, opportunityId, opts)).text;
}
