/**
 * A minimal text-only PDF writer, so the emulator can serve resumes the way most candidates upload them (Lever's API
 * has no resume text; clients download the file). Helvetica text lines (wrapped at 90 characters), 60 lines a page,
 * WinAnsi encoding; characters it cannot encode become '?'. Not a general PDF library: just enough for PDF.js
 * (and so Fulcrum's resume reader) to read the lines back.
 */

const LINES_PER_PAGE = 60;
/** Characters per line at 10 pt Helvetica inside the margins; longer lines wrap at a space, like a word processor. */
const LINE_WIDTH = 90;

function wrap(line: string): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > LINE_WIDTH) {
    const space = rest.lastIndexOf(' ', LINE_WIDTH);
    const cut = space > 0 ? space : LINE_WIDTH;
    out.push(rest.slice(0, cut));
    rest = rest.slice(space > 0 ? cut + 1 : cut);
  }
  out.push(rest);
  return out;
}

/** WinAnsiEncoding bytes 0x80-0x9f (the rest of 0xa0-0xff is Latin-1). */
const WIN_ANSI_HIGH: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};

function winAnsiByte(ch: string): number {
  const code = ch.codePointAt(0) ?? 0x3f;
  if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) return code;
  return WIN_ANSI_HIGH[ch] ?? 0x3f;
}

/** A PDF string literal: parentheses and backslashes escaped, non-ASCII bytes as octal escapes. */
function pdfString(line: string): string {
  let out = '(';
  for (const ch of line) {
    const b = winAnsiByte(ch);
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x80) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out})`;
}

export function textToPdf(text: string): Buffer {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').flatMap(wrap);
  const pages: string[][] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_PAGE) pages.push(lines.slice(i, i + LINES_PER_PAGE));
  if (pages.length === 0) pages.push([]);

  // Objects: 1 catalog, 2 page tree, 3 font, then a (page, content) pair per page.
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  for (const [i, pageLines] of pages.entries()) {
    const ops = ['BT', '/F1 10 Tf', '12 TL', '50 770 Td'];
    for (const line of pageLines) ops.push(`${pdfString(line)} Tj`, 'T*');
    ops.push('ET');
    const stream = ops.join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`,
    );
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
  }

  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
