import { PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';

/**
 * The approved letter as a PDF (pdf-lib, pure JavaScript): A4, Helvetica, the letter's Markdown read as headings
 * (#, ##), list items (- ) and paragraphs, **bold** markers dropped, text wrapped to the margins. Deterministic for a
 * given text and date (the document dates are the version's), so the same approved version renders the same bytes.
 * The standard fonts cover WinAnsi (Western European) only: other characters print as '?'.
 */

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 64;
const BODY = 11;
const LEADING = 1.45;

export async function renderLetterPdf(text: string, meta: { title: string; createdAt: Date }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(meta.title);
  doc.setProducer('Fulcrum');
  doc.setCreator('Fulcrum offer letters');
  doc.setCreationDate(meta.createdAt);
  doc.setModificationDate(meta.createdAt);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const charset = new Set(regular.getCharacterSet());
  const clean = (s: string) =>
    [...s.replace(/\*\*/g, '')].map((ch) => (charset.has(ch.codePointAt(0) as number) ? ch : '?')).join('');

  let page = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  const width = PAGE.width - 2 * MARGIN;
  const line = (s: string, font: PDFFont, size: number, indent = 0) => {
    if (y - size < MARGIN) {
      page = doc.addPage([PAGE.width, PAGE.height]);
      y = PAGE.height - MARGIN;
    }
    y -= size;
    page.drawText(s, { x: MARGIN + indent, y, size, font });
    y -= size * (LEADING - 1);
  };
  const paragraph = (s: string, font: PDFFont, size: number, indent = 0, bullet = false) => {
    const words = clean(s).split(/\s+/).filter(Boolean);
    let current = '';
    let first = true;
    const flush = () => {
      if (bullet && first) page.drawText('•', { x: MARGIN + indent - 10, y: y - size, size, font: regular });
      line(current, font, size, indent);
      first = false;
    };
    for (const w of words) {
      const next = current ? `${current} ${w}` : w;
      if (font.widthOfTextAtSize(next, size) > width - indent && current) {
        flush();
        current = w;
      } else current = next;
    }
    if (current) flush();
  };

  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const l = raw.trimEnd();
    if (!l.trim()) {
      y -= BODY * 0.6;
      continue;
    }
    const h = /^(#{1,3})\s+(.*)$/.exec(l);
    if (h) {
      y -= BODY * 0.4;
      paragraph(h[2] as string, bold, h[1]?.length === 1 ? 16 : 13);
      continue;
    }
    const li = /^\s*[-*]\s+(.*)$/.exec(l);
    if (li) {
      paragraph(li[1] as string, regular, BODY, 14, true);
      continue;
    }
    paragraph(l, regular, BODY);
  }
  return doc.save({ useObjectStreams: false });
}
