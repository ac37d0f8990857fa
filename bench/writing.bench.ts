import { candidateFromText } from '../backend/ai/candidate-from-text.ts';
import { countWords, draftOutreachLocal } from '../backend/ai/draft-outreach.ts';
import { pastesResume, repeatedNgrams, signatureName } from '../backend/ai/outreach-writing.ts';
import { postingFromText } from '../backend/ai/posting-from-text.ts';
import { scoreCandidateLocal } from '../backend/ai/score-candidate.ts';
import type { CandidateInput, PostingInput, Recruiter } from '../backend/ai/types.ts';
import { loadCandidate } from '../backend/candidates/load-candidate.ts';
import { recruiterIdentity } from '../backend/http/recruiter-identity.ts';
import { collect, createLeverClient } from '../backend/lever/index.ts';
import { startEmulator } from '../backend/lever-emulator/server.ts';
import type { OutreachDraft, OutreachVariant, Tone } from '../utils/contracts/ai.ts';
import { loadRows } from './quality-data.ts';
import { RJDB_DEV } from './shared-data.ts';

/**
 * `npm run bench -- writing`: the writing quality of 100 local outreach drafts, 50 from RJDB dev rows (job +
 * matched resume; RJDB by Megagon Labs, CC BY-SA 4.0) and 50 from the Lever emulator's seed read over HTTP as the
 * backend reads it (loadCandidate), each signed by a Lever user resolved by e-mail (recruiterIdentity). Tones and
 * variants rotate. Per draft:
 * - pasted quote: the body pastes resume text (a resume line of 5+ words whole, 8 resume words in a row that the
 *   posting does not have too, or a quotation mark around 3+ words; outreach-writing.ts pastesResume);
 * - repeated 4-grams: a four-word phrase that occurs twice in the body;
 * - unsupported claims: a claim whose evidence is not the exact text of the resume at its offsets, or whose text
 *   is not in the body;
 * - sign-off: the last lines are the Lever user's name (and job title when Lever has one), never an e-mail address;
 * - length: words against the request's limit.
 * Targets: 0 unsupported claims, 0 pasted quotes, 0 repeated 4-grams, every sign-off correct, none over the limit.
 */

const TONES: Tone[] = ['warm', 'concise', 'formal'];
const VARIANTS: OutreachVariant[] = ['first-contact', 're-engagement', 'follow-up'];
const LIMITS = [160, 120, 80];
const now = new Date('2026-11-26T15:00:00Z');

type Case = {
  label: string;
  posting: PostingInput;
  candidate: CandidateInput;
  recruiter: Recruiter;
  expect: Recruiter;
};

const emu = await startEmulator({ port: 0, opportunities: 60 });
const lever = createLeverClient({ baseUrl: emu.apiBaseUrl, auth: { kind: 'apiKey', apiKey: emu.apiKey } });
const recruiters = (await collect(lever.listUsers({}))).filter((u) => /recruit|talent|sourcer/i.test(u.jobTitle ?? ''));
const signer = async (i: number) => {
  const u = recruiters[i % recruiters.length]!;
  // The Fulcrum token carries only the e-mail (its name falls back to the e-mail, as in requireRecruiter).
  const r = await recruiterIdentity(lever, { email: u.email!, name: u.email! });
  return { r, expect: { name: u.name ?? '', email: u.email!, title: u.jobTitle ?? null } };
};

const cases: Case[] = [];
const rows = loadRows(RJDB_DEV).slice(0, 50);
for (const [i, row] of rows.entries()) {
  const s = await signer(i);
  const candidate: CandidateInput = {
    ...candidateFromText(`rjdb-${i}`, row['Resume-matched'], { name: 'Jordan Lee' }),
    previousApplications: [
      { postingTitle: 'Analyst', stageReached: 'Phone screen', archiveReason: null, date: '2024-05-02T00:00:00Z' },
    ],
  };
  cases.push({
    label: `rjdb ${i}`,
    posting: postingFromText(`rjdb-job-${i}`, row['Job-Description']),
    candidate,
    recruiter: s.r,
    expect: s.expect,
  });
}
const opportunities = (await collect(lever.listOpportunities({}))).slice(0, 80);
for (const o of opportunities) {
  if (cases.length >= 100) break;
  const loaded = await loadCandidate(lever, o.id);
  if (!loaded.posting || !loaded.candidate.resumeText.trim()) continue;
  const s = await signer(cases.length);
  cases.push({ label: `emulator ${o.id}`, ...loaded, posting: loaded.posting, recruiter: s.r, expect: s.expect });
}
await emu.close();

type Figures = {
  pasted: number;
  repeated: number;
  unsupported: number;
  claims: number;
  signOff: number;
  over: number;
  words: number[];
};
const fig: Figures = { pasted: 0, repeated: 0, unsupported: 0, claims: 0, signOff: 0, over: 0, words: [] };
const examples: string[] = [];
for (const [i, c] of cases.entries()) {
  const tone = TONES[i % 3]!;
  const variant = VARIANTS[Math.floor(i / 3) % 3]!;
  const maxWords = LIMITS[i % LIMITS.length]!;
  const match = scoreCandidateLocal(c.posting, c.candidate, { now });
  const d: OutreachDraft = draftOutreachLocal(c.posting, c.candidate, match, { tone, variant, maxWords }, c.recruiter, {
    now: () => now,
  });
  const sources = [c.candidate.resumeText, c.candidate.applicationText ?? ''];
  const problems: string[] = [];
  if (pastesResume(d.body, sources, [c.posting.title, c.posting.text])) {
    if (process.env.SHOW) console.log(`PASTED ${c.label}:\n${d.body}\n`);
    fig.pasted++;
    problems.push('pasted quote');
  }
  const rep = repeatedNgrams(d.body);
  if (rep.length) {
    fig.repeated++;
    problems.push(`repeats "${rep[0]}"`);
  }
  for (const claim of d.claims) {
    fig.claims++;
    const src = claim.evidence.source === 'resume' ? c.candidate.resumeText : (c.candidate.applicationText ?? '');
    if (src.slice(claim.evidence.start, claim.evidence.end) !== claim.evidence.quote || !d.body.includes(claim.text)) {
      fig.unsupported++;
      problems.push(`unsupported claim "${claim.text}"`);
    }
  }
  const want = [c.expect.name, c.expect.title].filter(Boolean).join('\n');
  const tail = d.body.trimEnd().replace(/\n[^\n]*@[^\n]*$/, '');
  if (!tail.endsWith(want) || !signatureName(c.recruiter) || /@/.test(tail.split('\n').slice(-2).join('\n'))) {
    fig.signOff++;
    problems.push('sign-off');
  }
  const words = countWords(d.body);
  fig.words.push(words);
  if (words > maxWords) {
    fig.over++;
    problems.push(`${words} words > ${maxWords}`);
  }
  if (problems.length && examples.length < 5) examples.push(`${c.label} (${tone}/${variant}): ${problems.join('; ')}`);
  if (i === 0 || i === 60) console.log(`Example draft (${c.label}, ${tone}/${variant}, max ${maxWords}):\n${d.body}\n`);
}

const n = cases.length;
const sorted = [...fig.words].sort((a, b) => a - b);
const pct = (k: number) => `${k} (${((100 * k) / n).toFixed(1)}%)`;
console.log(
  `${n} drafts: ${cases.filter((c) => c.label.startsWith('rjdb')).length} from RJDB dev, ${cases.filter((c) => c.label.startsWith('emulator')).length} from the Lever emulator seed`,
);
console.log('                                   drafts         target');
console.log(`with a pasted resume quote         ${pct(fig.pasted).padEnd(15)}0`);
console.log(`with a repeated 4-gram             ${pct(fig.repeated).padEnd(15)}0`);
console.log(`unsupported claims                 ${`${fig.unsupported} of ${fig.claims} claims`.padEnd(15)}0`);
console.log(`wrong sign-off (Lever name/title)  ${pct(fig.signOff).padEnd(15)}0`);
console.log(`over the word limit                ${pct(fig.over).padEnd(15)}0`);
console.log(
  `words per draft: median ${sorted[Math.floor(n / 2)]}, min ${sorted[0]}, max ${sorted[n - 1]}; claims per draft ${(fig.claims / n).toFixed(2)}`,
);
if (examples.length) console.log(`first problems:\n  ${examples.join('\n  ')}`);
