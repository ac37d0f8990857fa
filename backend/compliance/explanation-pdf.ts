import { PDFDocument, StandardFonts } from 'pdf-lib';

/**
 * The explanation as a PDF a recruiter can attach to an email (pdf-lib, pure JavaScript; the same library the offer
 * letters use). A4, Helvetica; `# ` and `## ` lines are headings, `- ` lines list items, the rest paragraphs, wrapped
 * to the margins. The standard fonts cover WinAnsi only: other characters print as '?', which is why the JSON and text
 * forms stay the reference. Bounded: at most MAX_PAGES pages.
 */

const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const SIZE = 10.5;
const MAX_PAGES = 40;

export async function explanationPdf(text: string, meta: { title: string; at: Date }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(meta.title);
  doc.setProducer('Fulcrum');
  doc.setCreator('Fulcrum compliance kit');
  doc.setCreationDate(meta.at);
  doc.setModificationDate(meta.at);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const known = new Set(regular.getCharacterSet());
  const encodable = (s: string) => [...s].map((ch) => (known.has(ch.codePointAt(0) as number) ? ch : '?')).join('');
  const width = PAGE[0] - 2 * MARGIN;
  let page = doc.addPage(PAGE);
  let y = PAGE[1] - MARGIN;

  const draw = (s: string, font: typeof regular, size: number, indent: number) => {
    if (y - size < MARGIN) {
      if (doc.getPageCount() >= MAX_PAGES) return false;
      page = doc.addPage(PAGE);
      y = PAGE[1] - MARGIN;
    }
    y -= size * 1.4;
    page.drawText(s, { x: MARGIN + indent, y, size, font });
    return true;
  };
  const wrapped = (s: string, font: typeof regular, size: number, indent = 0) => {
    let line = '';
    for (const word of encodable(s).split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (line && font.widthOfTextAtSize(next, size) > width - indent) {
        if (!draw(line, font, size, indent)) return;
        line = word;
      } else line = next;
    }
    if (line) draw(line, font, size, indent);
  };

  for (const raw of text.split('\n')) {
    const heading = /^(#{1,2})\s+(.*)$/.exec(raw);
    if (!raw.trim()) y -= SIZE * 0.5;
    else if (heading) wrapped(heading[2] ?? '', bold, heading[1] === '#' ? 15 : 12);
    else if (raw.startsWith('- ')) wrapped(`• ${raw.slice(2)}`, regular, SIZE, 12);
    else wrapped(raw, regular, SIZE);
  }
  return doc.save({ useObjectStreams: false });
}
