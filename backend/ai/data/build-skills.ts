import fs from 'node:fs';
import path from 'node:path';

/**
 * Regenerates backend/ai/data/skills.json, the curated vocabulary the local engine ships, from the shared
 * skills-merged.json (`npx tsx backend/ai/data/build-skills.ts [path/to/skills-merged.json]`).
 *
 * Curation (see SOURCE.md): only entries from github/explore, GitHub Linguist and O*NET (technology names); ESCO
 * alt labels are dropped because many are loose (SQL -> "Subquery"). Aliases are kept only when they are real
 * synonyms: no version slugs, no "-examples"/"-library" slugs, no Linguist file-type aliases, no plain English
 * words. A hand-written overlay adds the common abbreviations recruiters meet (k8s, ML, GCP, ...).
 */

type Merged = { skills: Array<{ name: string; aliases: string[]; sources: Array<{ source: string; topic?: string }> }> };
type Skill = { id: string; name: string; aliases: string[]; exact?: boolean };

const input = process.argv[2] ?? new URL('../../../../shared/data/skills/skills-merged.json', import.meta.url).pathname;
const out = path.join(path.dirname(new URL(import.meta.url).pathname), 'skills.json');

const DENY_ALIASES = new Set([
  'node', 'mocha', 'cake', 'cakescript', 'escript', 'live script', 'subquery', 'sequel', 'rusthon', 'zsh', 'envrc',
  'splus', 'rscript', 'k and r', 'obj c', 'objc', 'bash session', 'console', 'shell', 'sh', 'make', 'inc', 'pro',
  'mm', 'jsx', 'jade', 'ant', 'pod', 'man', 'less', 'text', 'plain text', 'html+erb', 'asm', 'nasm', 'ocaml',
  'go', 'golang examples', 'api', 'app', 'web', 'bot', 'game', 'games', 'data', 'code', 'tools', 'tool',
  // Everyday English words and phrases whose usual meaning is not the skill they alias: in a job ad or a resume
  // "quality", "strategy", "growth" or "time management" almost never mean Code quality, a strategy game,
  // Marketing or a time-management game. Found by checking every alias against an English word list
  // (/usr/share/dict/words) and keeping those that are real synonyms in ordinary text (excel, oracle, rails).
  'action', 'apples', 'artwork', 'backbone', 'batch', 'brawler', 'paper', 'spigot', 'coffee', 'normalization',
  'normalize', 'reset', 'dependencies', 'cask', 'esoteric', 'extensions', 'plugin', 'plugins', 'fabric', 'fish',
  'fisher', 'fisherman', 'generators', 'cucumber', 'copperhead', 'brew', 'photo', 'photos', 'picture', 'pictures',
  'flex', 'mumps', 'growth', 'octave', 'maze', 'metrics', 'none', 'progress', 'grammar', 'posh', 'quilt', 'rake',
  'sport', 'squeak', 'ticketing', 'clipper', 'adventure', 'alternate reality', 'arch',
  'artillery', 'casual', 'city building', 'classless', 'quality', 'review', 'card game', 'eloquent', 'fluent',
  'motion', 'graphic', 'mint', 'material', 'forge', 'move', 'mud', 'role playing', 'stealth',
  'strategy', 'coverage', 'chapel', 'time management', 'utility', 'spectrum', 'quantum', 'alloy',
]);
// Product names that are also English words: matched only with these capitals ("Spark", not "spark creativity").
const CAPITAL_ALIASES: Record<string, string> = {
  spark: 'Spark',
  access: 'Access',
  rest: 'REST',
  pulsar: 'Pulsar',
  sublime: 'Sublime',
};
// Names that are ordinary words or single letters: only matched with their exact spelling ("Go", "R").
const EXACT_NAMES = new Set(['go', 'r', 'c', 'd', 'swift', 'rust', 'dart', 'elm', 'chef', 'puppet', 'unity', 'spring',
  'express', 'flask', 'rails', 'ruby', 'crystal', 'julia', 'pony', 'io', 'red', 'nim', 'v', 'e', 'j', 'q', 'k', 'm',
  'processing', 'logos', 'factor', 'pure', 'clean', 'self', 'boo', 'slash', 'chapel', 'lean', 'mercury', 'oxygene',
  'ring', 'arc', 'ballerina', 'turing', 'wisp', 'zig', 'stan', 'agda', 'alloy', 'apex', 'bicep', 'cue', 'curry',
  'gap', 'genie', 'hack', 'jolie', 'just', 'koka', 'lasso', 'lingo', 'max', 'mask', 'nit', 'nu', 'opal', 'pan',
  'papyrus', 'pep8', 'pike', 'pop', 'raw', 'rebol', 'ren', 'rex', 'roc', 'sage', 'scheme', 'shen', 'slim', 'smali',
  'star', 'tea', 'wdl', 'xc', 'yacc', 'zap', 'cool', 'dm', 'eq', 'fe', 'gn', 'hy', 'ink', 'janet', 'kit', 'lark',
  'moon', 'mint', 'odin', 'pact', 'grace', 'bison', 'meson', 'gas', 'gosu', 'mirah', 'ox', 'oz', 'sed', 'vim']);
const HAND_ALIASES: Record<string, string[]> = {
  Kubernetes: ['k8s'],
  JavaScript: ['js', 'ecmascript', 'es6'],
  TypeScript: ['ts'],
  'Node.js': ['nodejs', 'node js'],
  PostgreSQL: ['postgres', 'psql'],
  'machine learning': ['ml'],
  'Artificial Intelligence': ['ai'],
  'Natural language processing': ['nlp'],
  'Amazon Web Services': ['aws', 'amazon aws'],
  'Google Cloud': ['gcp', 'google cloud platform'],
  'Microsoft Azure': ['azure'],
  'Continuous integration': ['ci', 'ci cd'],
  'C#': ['c sharp', 'csharp'],
  'C++': ['cpp', 'cplusplus'],
  Go: ['golang'],
  React: ['reactjs', 'react js'],
  'Vue.js': ['vue', 'vuejs'],
  Angular: ['angularjs'],
  MongoDB: ['mongo'],
  'Ruby on Rails': ['rails', 'ror'],
  'Deep learning': ['dl'],
  'Microsoft Excel': ['excel', 'ms excel'],
  'Salesforce': ['sfdc'],
  'Search engine optimization': ['seo'],
  'User experience': ['ux'],
  'User interface': ['ui'],
};

const norm = (s: string) => s.toLowerCase().replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
const merged = JSON.parse(fs.readFileSync(input, 'utf8')) as Merged;
const skills: Skill[] = [];
const seen = new Set<string>();
for (const entry of merged.skills) {
  const tech = entry.sources.filter((s) => s.source !== 'esco-1.2.0');
  if (tech.length === 0) continue;
  const key = norm(entry.name.replace(/\s*\([^)]*\)\s*$/, ''));
  if (!key || seen.has(key)) continue;
  seen.add(key);
  const nameHasDigit = /\d/.test(key);
  const candidates = [...entry.aliases, ...tech.map((s) => s.topic ?? '')];
  const aliases = new Set<string>();
  // ESCO alt labels are mixed into `aliases`; keep only slug-like ones (github/linguist style) or short forms.
  for (const raw of candidates) {
    if (!raw || (/[A-Z]/.test(raw) && /\s/.test(raw))) continue;
    const a = norm(raw);
    if (a === key || a.length < 2 || DENY_ALIASES.has(a)) continue;
    if (!nameHasDigit && /\d/.test(a)) continue;
    if (/\b(examples?|library|libraries|code|tutorials?|framework|models?|algorithms?|applications?|awesome|projects?|resources?|tools?)$/.test(a)) continue;
    if (a.split(' ').length > 3) continue;
    aliases.add(CAPITAL_ALIASES[a] ?? a);
  }
  for (const a of HAND_ALIASES[entry.name] ?? []) aliases.add(a);
  aliases.delete('py');
  const id = key.replace(/[^a-z0-9+#.]+/g, '-');
  const name = entry.name.replace(/\s*\([^)]*\)\s*$/, '');
  skills.push({ id, name, aliases: [...aliases].sort(), ...(EXACT_NAMES.has(key) ? { exact: true } : {}) });
}
for (const [name, aliases] of Object.entries(HAND_ALIASES)) {
  const key = norm(name);
  if (seen.has(key)) continue;
  seen.add(key);
  skills.push({ id: key.replace(/[^a-z0-9+#.]+/g, '-'), name, aliases });
}
skills.sort((a, b) => a.id.localeCompare(b.id));
fs.writeFileSync(out, `${JSON.stringify({ note: 'Generated by build-skills.ts; see SOURCE.md for sources and licences.', skills }, null, 0).replace(/\},\{/g, '},\n{')}\n`);
console.log(`wrote ${skills.length} skills, ${skills.reduce((n, s) => n + s.aliases.length, 0)} aliases to ${out}`);
