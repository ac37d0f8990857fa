import { collect, LeverApiError, type LeverClient, type Resume } from '../lever/index.ts';

/**
 * Resume text from the file a candidate uploaded. Lever's API has no plain-text field for a resume: `parsedData`
 * holds positions and schools only (no skills, no summary), so the file itself is where the evidence is. PDF (unpdf,
 * a packaged PDF.js) and DOCX (mammoth) are read; plain text is taken as is; anything else (legacy .doc, images,
 * scans with no text layer) falls back to the parsed data.
 */

export type ResumeFileKind = 'pdf' | 'docx' | 'text' | 'other';

/** Files larger than this are not parsed (Lever's own upload limit is far below it). */
export const MAX_RESUME_BYTES = 10 * 1024 * 1024;
/** Pages read from a PDF; a resume longer than this is unusual and the rest rarely matters for matching. */
export const MAX_PDF_PAGES = 20;

export function sniffResumeFile(buf: Buffer): ResumeFileKind {
  if (buf.length === 0) return 'other';
  const head = buf.subarray(0, 1024);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  // DOCX is a ZIP whose entries include word/document.xml; other ZIPs (xlsx, odt) are not read.
  if (head.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') {
    return buf.includes('word/document.xml', 0, 'latin1') ? 'docx' : 'other';
  }
  return head.includes(0) ? 'other' : 'text';
}

/** Lines of the first MAX_PDF_PAGES pages, using PDF.js's end-of-line marks so quotes keep their line breaks. */
async function pdfText(buf: Buffer): Promise<string> {
  const { getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  try {
    const pages: string[] = [];
    for (let n = 1; n <= Math.min(pdf.numPages, MAX_PDF_PAGES); n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      let page = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        page += item.str;
        if (item.hasEOL) page += '\n';
      }
      pages.push(page.trimEnd());
    }
    return pages.join('\n\n');
  } finally {
    await pdf.destroy();
  }
}

async function docxText(buf: Buffer): Promise<string> {
  const mammoth = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: buf });
  // mammoth ends every paragraph with a blank line; one line break per paragraph reads like the document.
  return value.replace(/\n\n/g, '\n').trim();
}

/**
 * The text of a downloaded resume file, or null when it has none we can read (the caller falls back to parsed
 * data). Throws nothing: a corrupt or hostile file is "no text", never a failed request.
 */
export async function textOfResumeFile(buf: Buffer): Promise<{ kind: ResumeFileKind; text: string } | null> {
  if (buf.length > MAX_RESUME_BYTES) return null;
  const kind = sniffResumeFile(buf);
  try {
    const text =
      kind === 'pdf'
        ? await pdfText(buf)
        : kind === 'docx'
          ? await docxText(buf)
          : kind === 'text'
            ? buf.toString('utf8')
            : '';
    return text.trim() ? { kind, text } : null;
  } catch {
    return null;
  }
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
 * The newest resume of an opportunity as text: the downloaded file (PDF, DOCX or text) when `download` is not
 * false and it has text, else Lever's parsed data. A file Lever could not process (422) or that is gone still has
 * parsed data to fall back on; a retryable failure (429, 5xx, network) is thrown, so the caller retries rather than
 * settling for the thinner parsed data.
 */
export async function newestResumeText(
  lever: LeverClient,
  opportunityId: string,
  opts: { download?: boolean } = {},
): Promise<string> {
  const resumes = await collect(lever.listResumes(opportunityId));
  resumes.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  const newest = resumes[0];
  if (!newest) return '';
  if (opts.download !== false) {
    try {
      const file = await textOfResumeFile(await lever.downloadResume(opportunityId, newest.id));
      if (file) return file.text;
    } catch (e) {
      if (e instanceof LeverApiError && e.retryable) throw e;
    }
  }
  return resumeFromParsedData(newest);
}
