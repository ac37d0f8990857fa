import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** One job or candidate line of the `rank` / `score` input files. */
export const DocLineSchema = z.object({ id: z.string().min(1), text: z.string() });

/**
 * The flags `rank` and `score` share (`--jobs`, `--candidates`, `--out`) plus one command-specific string flag.
 * Unknown flags are an error; checking which flags are required is left to the command.
 */
export function parseJobsCandidatesArgs<K extends string>(
  args: string[],
  extra: K,
): { jobs?: string; candidates?: string; out?: string } & { [P in K]?: string } {
  const { values } = parseArgs({
    args,
    options: {
      jobs: { type: 'string' },
      candidates: { type: 'string' },
      [extra]: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  return values as { jobs?: string; candidates?: string; out?: string } & { [P in K]?: string };
}

/**
 * JSON Lines input for the AI CLI commands: every non-blank line must parse and validate, and an error names
 * the file and the line so the user can fix it.
 */
export async function readJsonl<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `File not found: ${file}` : `Cannot read ${file}: ${error.message}`);
  });
  const out: T[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `field "${issue.path.join('.')}"` : 'line';
      throw new Error(`${file}:${i + 1}: ${where}: ${issue?.message ?? 'invalid'}`);
    }
    out.push(parsed.data);
  }
  return out;
}

/** Writes JSON Lines to a file, or to stdout when no file is given. */
export async function writeJsonl(rows: unknown[], file: string | undefined): Promise<void> {
  const body = rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  if (file) await writeFile(file, body);
  else process.stdout.write(body);
}

/** A file of DocLineSchema lines, by id; a repeated id is an error. */
export async function readDocsById(file: string): Promise<Map<string, z.infer<typeof DocLineSchema>>> {
  return uniqueById(await readJsonl(file, DocLineSchema), file);
}

export function uniqueById<T extends { id: string }>(rows: T[], file: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const r of rows) {
    if (map.has(r.id)) throw new Error(`${file}: duplicate id "${r.id}"`);
    map.set(r.id, r);
  }
  return map;
}
