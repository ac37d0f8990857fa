import { inflateRawSync } from 'node:zlib';

/**
 * What a DOCX (a ZIP archive) holds, read from its central directory before anything is inflated, so a zip bomb is
 * refused at the cost of reading a few kilobytes: too many entries, or more uncompressed bytes than a résumé needs.
 * Every deflated entry is then inflated once with its declared size as a hard limit, so an archive that declares
 * small sizes and inflates to gigabytes is refused too, without ever holding more than the declared bytes.
 */

/** A résumé DOCX has 10-40 entries (XML parts, relationships, a few images and fonts). */
export const MAX_DOCX_ENTRIES = 1_000;
/** All entries together, uncompressed. A 100-page text document is a few megabytes of XML. */
export const MAX_DOCX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;
/** Any one entry: mammoth parses each XML part into a DOM, so its size bounds the parser's memory. */
export const MAX_DOCX_ENTRY_BYTES = 32 * 1024 * 1024;

export type DocxCheck =
  | { ok: true; entries: number; uncompressedBytes: number }
  | { ok: false; refused: string }
  | null;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const mb = (n: number) =>
  n < 1024 * 1024
    ? `${Math.ceil(n / 1024).toLocaleString('en-US')} kB`
    : `${(n / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;

/**
 * Checks the archive's shape and sizes. null: not a ZIP we can read (the caller treats the file as unreadable
 * text, as before); `refused`: a ZIP over a limit, with the reason for the recruiter.
 */
export function checkDocxArchive(buf: Buffer): DocxCheck {
  // The end-of-central-directory record is in the last 22 + 65,535 (comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    return { ok: false, refused: 'The DOCX file is a ZIP64 archive, which a résumé never needs.' };
  if (entries > MAX_DOCX_ENTRIES)
    return {
      ok: false,
      refused: `The DOCX file holds ${entries.toLocaleString('en-US')} files (a résumé has a few dozen; the limit is ${MAX_DOCX_ENTRIES.toLocaleString('en-US')}).`,
    };
  if (cdOffset + cdSize > eocd) return null;

  type Entry = { name: string; method: number; compressed: number; size: number; local: number };
  const list: Entry[] = [];
  let total = 0;
  for (let off = cdOffset, n = 0; n < entries; n++) {
    if (off + 46 > eocd || buf.readUInt32LE(off) !== CENTRAL) return null;
    const nameLength = buf.readUInt16LE(off + 28);
    const entry: Entry = {
      method: buf.readUInt16LE(off + 10),
      compressed: buf.readUInt32LE(off + 20),
      size: buf.readUInt32LE(off + 24),
      name: buf.toString('utf8', off + 46, off + 46 + nameLength),
      local: buf.readUInt32LE(off + 42),
    };
    total += entry.size;
    if (entry.size > MAX_DOCX_ENTRY_BYTES)
      return {
        ok: false,
        refused: `The DOCX file's part "${entry.name.slice(0, 80)}" expands to ${mb(entry.size)} (limit ${mb(MAX_DOCX_ENTRY_BYTES)}).`,
      };
    if (total > MAX_DOCX_UNCOMPRESSED_BYTES)
      return {
        ok: false,
        refused: `The DOCX file expands to more than ${mb(MAX_DOCX_UNCOMPRESSED_BYTES)} (it is ${mb(buf.length)} compressed): it looks like a zip bomb.`,
      };
    list.push(entry);
    off += 46 + nameLength + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
  }

  // The declared sizes are only claims: inflate each deflated entry with its claim as the limit.
  for (const e of list) {
    if (e.method !== 8 || e.compressed === 0) continue;
    if (e.local + 30 > buf.length || buf.readUInt32LE(e.local) !== LOCAL) return null;
    const start = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
    if (start + e.compressed > buf.length) return null;
    try {
      inflateRawSync(buf.subarray(start, start + e.compressed), { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        return {
          ok: false,
          refused: `The DOCX file's part "${e.name.slice(0, 80)}" inflates to more than the ${mb(e.size)} it declares: it looks like a zip bomb.`,
        };
      return null;
    }
  }
  return { ok: true, entries: list.length, uncompressedBytes: total };
}
