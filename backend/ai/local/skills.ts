import fs from 'node:fs';
import { z } from 'zod';
import type { Token } from './text.ts';

/**
 * The curated skill vocabulary (backend/ai/data/skills.json, built by build-skills.ts) and a phrase matcher that
 * finds skill names and their aliases in tokenised text, so "k8s" in a resume satisfies "Kubernetes" in a posting.
 */

const VocabularySchema = z.object({
  skills: z.array(
    z.object({ id: z.string(), name: z.string(), aliases: z.array(z.string()), exact: z.boolean().optional() }),
  ),
});
export type Skill = z.infer<typeof VocabularySchema>['skills'][number];

export type SkillMention = {
  skillId: string;
  name: string;
  start: number;
  end: number;
  firstToken: number;
  lastToken: number;
};

/** `surfaces`: the spellings (spaces and hyphens aside) a form must have in the text, when its case matters. */
type Phrase = { words: string[]; skill: Skill; surfaces: string[] | null };

const squashed = (s: string) => s.replace(/[\s\-_]/g, '');

let phrasesByFirst: Map<string, Phrase[]> | null = null;
let skillsById: Map<string, Skill> | null = null;

function load(): Map<string, Phrase[]> {
  if (phrasesByFirst) return phrasesByFirst;
  const file = new URL('../data/skills.json', import.meta.url);
  const vocab = VocabularySchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const map = new Map<string, Phrase[]>();
  skillsById = new Map();
  for (const skill of vocab.skills) {
    skillsById.set(skill.id, skill);
    const forms = [skill.name, ...skill.aliases];
    for (const form of forms) {
      const words = form
        .toLowerCase()
        .split(/[\s\-_/]+/)
        .filter(Boolean);
      const first = words[0];
      if (!first) continue;
      // Short letter-only forms (AWS, ML, UX) are ordinary words in lower case: require the capitals, all of them
      // or the ones the vocabulary writes ("iOS"). So do exact names ("Go") and aliases the vocabulary writes with
      // capitals ("Spark", "REST": English words too).
      const short = form.replace(/[\s\-_]/g, '').length <= 3 && !/\d/.test(form);
      const capitalAlias = form !== skill.name && /[A-Z]/.test(form);
      const surfaces =
        (skill.exact && form === skill.name) || capitalAlias
          ? [form]
          : short
            ? [...new Set([form.toUpperCase(), ...(/[A-Z]/.test(form) ? [form] : [])])]
            : null;
      const list = map.get(first) ?? [];
      list.push({ words, skill, surfaces: surfaces?.map(squashed) ?? null });
      map.set(first, list);
    }
  }
  for (const list of map.values()) list.sort((a, b) => b.words.length - a.words.length);
  phrasesByFirst = map;
  return map;
}

export function skillById(id: string): Skill | undefined {
  load();
  return skillsById?.get(id);
}

/** Longest-match skill mentions, left to right; overlapping shorter matches are skipped. */
export function findSkills(text: string, tokens: Token[]): SkillMention[] {
  const map = load();
  const out: SkillMention[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const candidates = map.get(token.norm);
    if (!candidates) continue;
    for (const p of candidates) {
      const last = i + p.words.length - 1;
      if (last >= tokens.length) continue;
      let ok = true;
      for (let k = 1; k < p.words.length; k++) {
        const t = tokens[i + k]!;
        // Words of one phrase must be adjacent on one line (only spaces, hyphens or slashes between them).
        if (t.norm !== p.words[k] || !/^[ \t\-_/]{0,2}$/.test(text.slice(tokens[i + k - 1]!.end, t.start))) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const start = token.start;
      const end = tokens[last]!.end;
      if (p.surfaces && !p.surfaces.includes(squashed(text.slice(start, end)))) continue;
      out.push({ skillId: p.skill.id, name: p.skill.name, start, end, firstToken: i, lastToken: last });
      i = last;
      break;
    }
  }
  return out;
}

/**
 * Skill ids in a list of lower-cased words, for the ranking fast path: no offsets, and forms that need their
 * exact capitals ("Go", "AWS") are skipped because case is gone; the full scorer checks those.
 */
export function skillIdsInWords(words: string[]): string[] {
  const map = load();
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const candidates = map.get(words[i]!);
    if (!candidates) continue;
    for (const p of candidates) {
      if (p.surfaces) continue;
      const n = p.words.length;
      if (i + n > words.length) continue;
      let ok = true;
      for (let k = 1; k < n; k++)
        if (words[i + k] !== p.words[k]) {
          ok = false;
          break;
        }
      if (!ok) continue;
      out.push(`§${p.skill.id}`);
      i += n - 1;
      break;
    }
  }
  return out;
}
