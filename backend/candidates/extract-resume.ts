import type { TextTruncation } from '../../utils/contracts/ai.ts';
import { boundText, type InputLimits } from '../ai/bound-text.ts';
import { UnreadableResumeError } from '../sandbox/errors.ts';
import { checkDocxArchive } from './docx-archive.ts';

/**
 * Text of a résumé file, in the current thread: what the sandbox worker runs (sandbox/tasks.ts), never the backend's
 * main thread, since PDF.js and mammoth work on whatever bytes an applicant uploads. PDF (unpdf, a packaged PDF.js)
 * and DOCX (mammoth) are read; plain text is taken as is. The text comes back within the input limits (bound-text.ts).
 *
 * Outcomes: text; null when the file has no text we can read (corrupt, empty, legacy .doc, images: the caller falls
 * back to Lever's parsed data); UnreadableResumeError when the file is over a structural limit (pages, entries,
 * uncompressed size), which no retry can change.
 */

export type ResumeFileKind = 'pdf' | 'docx' | 'text' | 'other';

export type ExtractedText = { kind: ResumeFileKind; text: string; truncation?: TextTruncation };

/** Files larger than this are not parsed (Lever's own upload limit is far below it). */
export const MAX_RESUME_BYTES = 10 * 1024 * 1024;
/** Pages read from a PDF; a resume longer than this is unusual and the rest rarely matters for matching. */
export const MAX_PDF_PAGES = 20;
/** A PDF with more pages than this is not a résumé: it is refused before any page is read. */
export const MAX_PDF_TOTAL_PAGES = 200;

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

/**
 * Lines of the first MAX_PDF_PAGES pages, using PDF.js's end-of-line marks so quotes keep their line breaks. Stops
 * reading once it has more characters than the limit lets through (`ceiling`).
 */
async function pdfText(buf: Buffer, ceiling: number): Promise<{ text: string; clipped: boolean }> {
  const { getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  try {
    if (pdf.numPages > MAX_PDF_TOTAL_PAGES)
      throw new UnreadableResumeError(
        `The résumé PDF has ${pdf.numPages.toLocaleString('en-US')} pages; files over ${MAX_PDF_TOTAL_PAGES} pages are not read.`,
      );
    const pages: string[] = [];
    let length = 0;
    let clipped = false;
    for (let n = 1; n <= Math.min(pdf.numPages, MAX_PDF_PAGES); n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      const parts: string[] = [];
      for (const item of content.items) {
        if (!('str' in item)) continue;
        parts.push(item.str);
        if (item.hasEOL) parts.push('\n');
        length += item.str.length + 1;
        if (length > ceiling) break;
      }
      pages.push(parts.join('').trimEnd());
      if (length > ceiling) {
        clipped = true;
        break;
      }
    }
    return { text: pages.join('\n\n'), clipped };
  } finally {
    await pdf.destroy();
  }
}

async function docxText(buf: Buffer): Promise<string> {
  const check = checkDocxArchive(buf);
  if (check === null) throw new Error('not a readable ZIP archive');
  if (!check.ok) throw new UnreadableResumeError(check.refused);
  const mammoth = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: buf });
  // mammoth ends every paragraph with a blank line; one line break per paragraph reads like the document.
  return value.replace(/\n\n/g, '\n').trim();
}

/** The file's text within `limits`, null when it has none we can read; throws UnreadableResumeError (see above). */
export async function extractResumeText(buf: Buffer, limits: InputLimits): Promise<ExtractedText | null> {
  if (buf.length > MAX_RESUME_BYTES) return null;
  const kind = sniffResumeFile(buf);
  if (kind === 'other') return null;
  let text: string;
  let clipped = false;
  try {
    if (kind === 'pdf') ({ text, clipped } = await pdfText(buf, 2 * limits.maxChars));
    else if (kind === 'docx') text = await docxText(buf);
    else text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof UnreadableResumeError) throw e;
    // Thousands of nested tables or runs overflow the parser's recursion: a hostile shape, not a damaged file.
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new UnreadableResumeError(
        `The résumé ${kind === 'pdf' ? 'PDF' : 'DOCX file'} nests its content too deeply to be read.`,
      );
    return null;
  }
  if (!text.trim()) return null;
  const bounded = boundText(text, 'resume', limits, clipped);
  return { kind, text: bounded.text, ...(bounded.truncation ? { truncation: bounded.truncation } : {}) };
}
