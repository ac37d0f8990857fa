import type { Evidence, InjectionFlag } from '../../utils/contracts/ai.ts';
import { modelInjectionSpans } from './injection-model.ts';
import { blankSpans, type Span } from './local/text.ts';

/**
 * Prompt-injection detection for candidate-supplied text. Candidate text is data, never instructions: any span
 * that reads like an instruction to an AI, a chat-role marker, a request to rate/hire, or text hidden with
 * invisible Unicode is flagged (quoted for the recruiter) and blanked out before scoring, so it cannot raise a
 * score or add skills. The patterns are general (addressee + imperative, override phrases, role markers,
 * hidden-text tricks), not a list of known attack strings.
 */

type Source = Evidence['source'];

// Zero-width, bidi controls, soft hyphen, invisible fillers and selectors. Built from a string because some of
// these are combining marks, which a regex literal's character class would make hard to read.
const INVISIBLE =
  '\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0';
// ... plus private use and tag characters.
const HIDDEN_RE = new RegExp(`[${INVISIBLE}\\uE000-\\uF8FF]|[\\u{E0000}-\\u{E007F}]|[\\u{F0000}-\\u{10FFFD}]`, 'gu');
const INVISIBLE_CHAR_RE = new RegExp(`^[${INVISIBLE}]$`, 'u');

const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  ο: 'o',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  ρ: 'p',
  τ: 't',
  υ: 'u',
};

/** Text with hidden characters removed and look-alike letters mapped to Latin, plus a map back to offsets. */
function normalise(text: string): { norm: string; map: ArrayLike<number> } {
  // ASCII has nothing hidden and nothing to map (every invisible and look-alike character is outside it).
  if (!NON_ASCII.test(text)) {
    const map = new Int32Array(text.length + 1);
    for (let k = 0; k <= text.length; k++) map[k] = k;
    return { norm: text, map };
  }
  let norm = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of text) {
    const len = ch.length;
    if (!INVISIBLE_CHAR_RE.test(ch) && !TAG_CHAR_RE.test(ch)) {
      let out = HOMOGLYPHS[ch] ?? ch;
      if (out === ch && ch.charCodeAt(0) > 0x7f) {
        const k = ch.normalize('NFKC');
        if (k.length === 1) out = k;
      }
      for (let k = 0; k < out.length; k++) {
        norm += out[k];
        map.push(i);
      }
    }
    i += len;
  }
  map.push(text.length);
  return { norm, map };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character, controls included
const NON_ASCII = /[^\x00-\x7f]/;
const TAG_CHAR_RE = /^[\u{E0000}-\u{E007F}]$/u;

type Rule = { re: RegExp; reason: string; wholeLine?: boolean };

const AI =
  '(?:ai|a\\.i\\.|assistant|chat\\s?bot|chat\\s?gpt|gpt(?:-?\\d[\\w.]{0,40})?|claude|gemini|copilot|llm|large language model|language model)';
const WEAK_ADDRESSEE =
  '(?:model|system|bot|screener|ats|algorithm|reviewer|recruiter|hiring manager|parser|scanner|agent|evaluator)';
const IMPERATIVE =
  "(?:ignore|disregard|forget|do|don't|output|print|respond|reply|say|write|include|add|tell|rate|score|rank|answer|summari[sz]e|translate|append|recommend|classify|mark|treat|consider|return|give|note|remember|act|pretend|assume|list|follow|obey|execute|ensure|make|stop|reveal|repeat|change|update|override|select|hire|shortlist|prioriti[sz]e)";
const OUTPUT_NOUN = '(?:answer|response|reply|output|message|summary|assessment|evaluation|verdict|completion)';
const TASK_VERB =
  '(?:add|include|modify|integrate|augment|enhance|replace|use|provide|render|encode|encrypt|translate|write|reverse|convert|express|substitute|scramble|rearrange|misspell|introduce|remove|group|combine|apply|shift|jumble|anagram|reply|respond|answer|start|end|begin|format|append|insert|mention|suggest|tease|hint|explain|describe|draft|compose|summari[sz]e|tell|list|give|show|help|recommend|determine|analy[sz]e|break down|classify|develop|create|generate|spread|promote|offer)';

const RULES: Rule[] = [
  {
    re: /\b(?:ignore|ignoring|disregard|disregarding|forget|override|overrule|bypass|abandon|neglect|drop|skip)\b[^.!?\n]{0,40}?\b(?:previous|prior|above|preceding|earlier|foregoing|original|initial|all|any|your|the|system|existing|those|these|other|my)\b[^.!?\n]{0,30}?\b(?:instructions?|prompts?|rules?|directions?|directives?|guidelines?|context|messages?|commands?|programming|polic(?:y|ies)|criteria|rubric|training|guardrails?)\b/i,
    reason: 'tells the reader to ignore its instructions',
    wholeLine: true,
  },
  {
    re: /\b(?:new|updated|real|actual|true|hidden|secret|additional|special|important|priority)\s+(?:instructions?|tasks?|directives?|prompts?|orders?)\b\s*(?:[:\-!*]|$)|\bnew instructions? (?:to|for) (?:the |any )?(?:chat|assistant|ai|model|bot)|\bsystem\s+(?:prompt|message|instructions?|override)\b|\bjailbreak|\bdeveloper mode\b|\bprompt injection\b|\bDAN mode\b/i,
    reason: 'introduces new instructions for an AI',
    wholeLine: true,
  },
  {
    // [^\S\n]* rather than \s*: with the m flag, \s* ran over every following blank line from each line start.
    re: /^[^\S\n]*(?:system|assistant|user|developer|human|ai|bot|gpt|chatgpt|claude|llm|instruction|instructions)\s*[:>]|(?<!#)#{2,}\s*(?:instruction|system|response|task|prompt|input|output)s?\b|\[\/?(?:inst|system|sys|user|assistant)\]|<<\/?sys>>|<\|?\s*(?:im_start|im_end|system|endoftext|eot_id|start_header_id|end_header_id)\s*\|?>|<\/?(?:system|instructions?|prompt|assistant|user)>|\bBEGIN\s+(?:SYSTEM|INSTRUCTIONS?|PROMPT)\b/im,
    reason: 'contains a chat-role or prompt marker',
    wholeLine: true,
  },
  {
    re: new RegExp(
      String.raw`(?:^\s*(?:(?:hey|hi|dear|ok(?:ay)?|attention)\s+)?${AI}\b\s*(?:[,:;!-]\s*)?|\b${AI}\s*[,:;!-]\s*)(?:please\s+)?${IMPERATIVE}\b|\b${WEAK_ADDRESSEE}\s*[,:]\s*(?:please\s+)?${IMPERATIVE}\b`,
      'i',
    ),
    reason: 'gives an instruction addressed to an AI or screening system',
    wholeLine: true,
  },
  {
    re: new RegExp(
      String.raw`\bnote (?:to|for) (?:the |any )?(?:${AI}|${WEAK_ADDRESSEE}|automated \w+)\b|\b(?:if|when|while) you(?:'re| are)\s+(?:an?\s+)?(?:${AI}|automated|an? (?:bot|model|machine)|reading this as|parsing|screening|summari[sz]ing|evaluating|reviewing this (?:resume|cv|application))|\b(?:to|for|attention) (?:any|all|the) (?:${AI}|automated (?:system|screener|tool|reviewer)s?|(?:resume|cv) (?:screeners?|parsers?|scanners?))\b|\bas an? (?:${AI}) (?:model|you)\b`,
      'i',
    ),
    reason: 'speaks to an AI or automated screener',
    wholeLine: true,
  },
  {
    re: /\byou\s+(?:must|should|will|shall|are (?:required|instructed|told|to)|need to|have to|can now|are now)\s+(?:now\s+|only\s+|always\s+)?(?:ignore|disregard|forget|rate|score|rank|recommend|hire|select|shortlist|advance|output|respond|reply|say|print|include|add|mark|classify|treat|consider|give|return|act|pretend|follow|obey|answer|write)\b|\byou are now\b|\bfrom now on\b|\bpretend (?:to be|you are|that you)\b|\b(?:act|behave|respond) as (?:if you|though you|an? (?:ai|assistant|model|system|unrestricted))\b/i,
    reason: 'tells the reader what to do',
    wholeLine: true,
  },
  {
    re: /\b(?:rate|score|rank|grade|mark|evaluate|assess|classify|label|consider|treat|list)\s+(?:this|me|my)\s*(?:candidate|applicant|resume|cv|profile|application|person|individual)?\b[^.!?\n]{0,40}?\b(?:100|10\s*\/\s*10|\d{1,3}\s*(?:%|\/\s*\d+|out of \d+|points?)|highest|maximum|max|top|perfect|excellent|strong(?:ly)?|best|qualified|(?:an? )?(?:strong |perfect |top |ideal )?(?:match|fit)|hire)\b/i,
    reason: 'asks for a particular rating',
    wholeLine: true,
  },
  {
    re: /\b(?:recommend|hire|shortlist|select|advance|approve|prioriti[sz]e|fast-track|accept|interview)\s+(?:this|these)\s+(?:candidate|applicant|resume|cv|profile|person)\b|\b(?:this|the) (?:candidate|applicant)\s+(?:is|should be|must be)\s+(?:the\s+)?(?:hired|selected|shortlisted|recommended|ranked|rated|scored|advanced|best|perfect|ideal|top|most qualified|an? (?:excellent|perfect|ideal|strong|top) (?:fit|match|candidate))\b|\b(?:score|rating|grade|rank(?:ing)?) of (?:100|10(?:\/10)?|\d{2,3}\s*%?)\b|\b(?:highest|maximum|perfect|top|full) (?:possible )?(?:score|rating|marks|grade|ranking)\b|\b(?:is|am) (?:a )?(?:perfect|100%|ideal) (?:match|fit)\b/i,
    reason: 'asks for a recommendation or a score',
    wholeLine: true,
  },
  {
    re: new RegExp(
      String.raw`\b(?:in|into|within|throughout) your (?:${OUTPUT_NOUN})\b|^(?:please\s+)?${TASK_VERB}\b[^.!?\n]*\byour (?:${OUTPUT_NOUN})(?:'s)?\b|^(?:please\s+)?(?:reply|respond|answer|write|render|encode|provide|express|translate)\b[^.!?\n]{0,20}\b(?:in|using|with|only|backwards?|without)\b[^.!?\n]{0,30}\b(?:base\s?\d+|cipher|reverse|emojis?|spanish|french|german|italian|portuguese|japanese|chinese|russian|spaces|anagrams?|symbols|numbers)\b`,
      'i',
    ),
    reason: 'tells the reader how to write its answer',
    wholeLine: true,
  },
  {
    re: new RegExp(
      String.raw`^(?:please\s+)?${TASK_VERB}\b(?=[^\n]*(?:\?\s*$|\byou\b|\bme\b|\bthe following\b|\bthis (?:review|comment|tweet|sentence|text|passage|paragraph|article|email|post)\b|\b(?:a list of|an example)\b|['"’”](?<=['"‘“][^'"’”\n]{12,}.)|\b(?:an?|the) (?:poem|story|essay|letter|speech|song|joke|haiku|script|headline|limerick|recipe)\b|\bin simple terms\b|\bwith an example\b|\b(?:www\.|https?:\/\/)))`,
      'i',
    ),
    reason: 'reads like a task given to a chat assistant',
  },
  {
    // Override of the text the reader was given, with what to say instead ("ignore this data and print …").
    re: /(?:^|[:[\]]\s*|\b(?:please|just|now|then)\s+)(?:ignore|disregard|forget)\b(?:[^.!?\n]{0,60}?\b(?:and|then)\s+(?:just\s+|only\s+|instead\s+)?(?:print|say|output|reply|respond|return|write|report|state|answer|display|repeat|type)\b|\s+(?:the rest of|everything|anything|all (?:info(?:rmation)?|data|text|content|input)\b|the (?:user|data|text|document|input|content)\b))|\b(?:ignore|disregard|bypass|forget)\s+(?:all\s+)?(?:instructions?|prompts?|filters?|guardrails?|restrictions|rules)\b/i,
    reason: 'tells the reader to ignore what it was given',
    wholeLine: true,
  },
  {
    // Prompt leaking: asking the reader for its own instructions or configuration.
    re: /\b(?:repeat|output|print|display|show|list|summari[sz]e|relay|reveal|share|tell me|write|quote|outline|translate|dump|log|echo|recite|give me|paste|copy)\b[^.!?\n]{0,40}?\byour\s+(?:system['’]?s?\s+)?(?:(?:initials?|starting|original|first|system|hidden|secret|internal|full|entire|exact|complete|current|underlying)\s+)*(?:instructions?|prompts?|guidelines|rules|configuration|config|parameters|settings|directives|programming)\b|\bsystem[\s_-]?prompt\b|\binitiali[sz]ation (?:string|prompt)\b|\b(?:initial|hidden|original|starting) prompt\b|\brepeat (?:the above|everything above|all of the above|this (?:entire )?conversation|the (?:text|words|messages?) above)\b|\b(?:admin(?:istrator)?|root|sudo|developer|system)\s+(?:override|request|command)\s*:/i,
    reason: 'asks the reader to reveal its instructions',
    wholeLine: true,
  },
  {
    // Aimed at an automated grader of answers (LLM-as-judge): picking a response, a verdict in machine form,
    // grading banners and tags.
    re: /\bresponse [ab]\b(?=[^\n]{0,80}\b(?:wins?|winner|better|best|superior|select\w*|prefer\w*|demonstrates|shows|scores?|correct|should)\b)|\b(?:select|choose|pick|prefer|confirm(?: selection of)?)\s+(?:this|the) (?:response|answer|output|submission)\b|\b(?:this|the|my) (?:response|answer|submission|output)\s+(?:(?:above|below|here)\s+)?(?:should|must|deserves to|will)\s+(?:pass|win|be (?:selected|chosen|preferred|graded|accepted|marked|scored))\b|^(?:please\s+)?(?:output|return|print|respond with|reply with)\s+["']?(?:true|pass|passed|yes|correct)["']?\s*[.!]?$|["']?\b(?:winner|verdict|final_answer|pass)["']?\s*[:=]\s*["']?(?:response\s+)?(?:[ab]|true|pass|yes)\b(?![\w-])|\b(?:grade|score|evaluate|judge)\s+(?:only\s+)?(?:the|this)\s+(?:final|following)\s+(?:answer|response|submission)\b|\bshould be graded\b|\bthe (?:response|answer) being graded\b|^\s*(?:\[|={2,}|-{2,}|\*{2,})\s*[^\]\n]{0,40}?\b(?:evaluat(?:ion|or)s?|grading|grader|scoring|rubric|verdict|override|qa team|calibration|admin(?:istrator)? (?:request|note)|system (?:note|override|message))\b|<\/?(?:system_override|evaluation_result|winner|rubric|verdict)\b|^(?:please\s+)?override\b[^.!?\n]{0,20}\b(?:scor\w*|evaluation|assessment|grading|rating|ranking|screening)\b/i,
    reason: 'tries to sway an automated grader',
    wholeLine: true,
  },
  {
    re: /\b(?:select|choose|pick|prefer)\s+(?:response\s+)?[AB]\b(?![\w'’-])/,
    reason: 'tries to sway an automated grader',
    wholeLine: true,
  },
  {
    // Aimed at a résumé screener: skip the evaluation, claims of pre-vetting, third-person superlatives, and
    // conditional instructions ("if asked, reply …").
    re: /\b(?:do not|don't|never|stop)\s+(?:evaluat(?:e|ing)|assess(?:ing)?|scor(?:e|ing)|rat(?:e|ing)|judg(?:e|ing)|screen(?:ing)?|analy[sz](?:e|ing))\s+(?:the|this|my)\s+(?:candidate|applicant|resume|cv|application|profile)\b|\b(?:has been|have been|is|was|been)\s+pre-?(?:verified|vetted|cleared|screened|selected)\b|\b(?:best|strongest|finest) (?:resume|cv|candidate|applicant|profile) (?:i have|i've|we have|we've) ever (?:seen|read|reviewed)\b|\b(?:the|this) (?:candidate|applicant) is (?:supremely|exceptionally|perfectly|ideally|uniquely|extraordinarily) qualified\b|\b(?:if|when|whenever|every time)\s+(?:the |a |any )?(?:user|anyone|someone|somebody|you are asked|asked|questioned|prompted)\b[^.!?\n]{0,80}?\b(?:reply|respond|answer|say|report|output|print|state)\b/i,
    reason: 'tells a screener what to conclude',
    wholeLine: true,
  },
  {
    // Tool and code injection: code a tool-using reader would run, markdown images that carry data out.
    re: /\bos\.(?:popen|system|exec\w*)\s*\(|\bsubprocess\.\w+\s*\(|__(?:subclasses|globals|builtins|import)__|<script\b|\bjavascript:(?!\s)|\b(?:eval|exec)\s*\(|\bcurl\s+(?:-\w+\s+)*https?:|\b(?:decode|decrypt|deobfuscate)\b[^.!?\n]{0,20}\b(?:and|then)\s+(?:execute|run|follow|obey)\b|^(?:please\s+)?(?:execute|run)\s*(?::|(?:this|the following|these|it)\b)|\bplease execute\b|!\[[^\]\n]{0,100}\]\(\s*https?:\/\/[^)\s]{0,200}[?&=]/i,
    reason: 'contains code or a command for a tool-using AI',
    wholeLine: true,
  },
  {
    // Jailbreak payloads: requests for instructions to make weapons or drugs.
    re: /\b(?:how (?:to|do i|can i)|c[oó]mo|steps to|instructions? (?:for|to)|recipes? for)\s+(?:build|make|construct|construir|hacer|fabricar|synthesi[sz]e|create|cook|assemble)\s+(?:a |an |una |un )?(?:b[o0]mb|explosives?|napalm|meth(?:amphetamine)?|nerve agent|bioweapon|pipe b[o0]mb)|\b(?:napalm|meth(?:amphetamine)?|b[o0]mb|explosives?) recipes?\b/i,
    reason: 'asks for instructions to cause harm',
    wholeLine: true,
  },
  {
    // Knowledge and task questions (what a chat assistant is asked); a yes/no request ("could you …?") is how
    // people write to each other, so it is left to the other rules.
    re: /^(?:what|who|how|why|where|which)\b[^\n]*\?\s*$/i,
    reason: 'is a question addressed to the reader',
  },
  {
    // "<!-- … -->": tried from the first "<!--" only (a lookahead and its backreference cannot be backtracked into),
    // since a later opening has a closing after it only if the first one has.
    re: /^(?=([\s\S]*?<!--))\1[\s\S]*?-->|\bfont-size\s*:\s*0|\bdisplay\s*:\s*none|\bvisibility\s*:\s*hidden|\bcolou?r\s*:\s*(?:#f{3}(?:f{3})?\b|white)|\b(?:white|invisible|hidden) (?:text|font|ink)\b|\[hidden\]/i,
    reason: 'contains a hidden-text marker',
    wholeLine: true,
  },
];

const isSentencePunct = (c: string) => c === '.' || c === '!' || c === '?';
const isCloser = (c: string) => c === '"' || c === "'" || c === ')' || c === ']';
const SPACE = /\s/;
const isSpace = (c: string) => SPACE.test(c);

/**
 * Sentence-ish units of the normalised text: split at line ends and at sentence punctuation (a run of . ! ?, then
 * closing quotes or brackets, then whitespace before more text). One scan: the regex this replaces retried at every
 * offset of a long run of "!!!!", which is quadratic.
 */
function units(norm: string): Span[] {
  const out: Span[] = [];
  for (let lineStart = 0; lineStart < norm.length; ) {
    let lineEnd = norm.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = norm.length;
    let s = lineStart;
    for (let i = lineStart; i < lineEnd; ) {
      if (!isSentencePunct(norm[i]!)) {
        i++;
        continue;
      }
      let j = i;
      while (j < lineEnd && isSentencePunct(norm[j]!)) j++;
      while (j < lineEnd && isCloser(norm[j]!)) j++;
      let k = j;
      while (k < lineEnd && isSpace(norm[k]!)) k++;
      // A break needs whitespace after the punctuation and more text after that on the line.
      if (k > j && k < lineEnd) {
        out.push({ start: s, end: j });
        s = k;
      }
      i = Math.max(k, j);
    }
    if (lineEnd > lineStart) out.push({ start: s, end: lineEnd });
    lineStart = lineEnd + 1;
  }
  const trimmed: Span[] = [];
  for (const u of out) {
    let { start, end } = u;
    while (start < end && LEAD_CHAR.test(norm[start]!) && !LEAD_NUMBER.test(norm.slice(start, start + 8))) start++;
    while (end > start && isSpace(norm[end - 1]!)) end--;
    if (end > start) trimmed.push({ start, end });
  }
  return trimmed;
}
const LEAD_CHAR = /[\s\-*•·>\d.)]/;
const LEAD_NUMBER = /^\d+\s*(%|\/|out|points)/;

/**
 * `lineAround` for many spans of one text: the newlines are found once and each lookup is a binary search, so a long
 * line with thousands of flagged characters is not rescanned for each.
 */
function lineFinder(text: string): (start: number, end: number) => Span {
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i);
  // Index of the first break >= at, or breaks.length.
  const firstAtOrAfter = (at: number) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (start, end) => {
    // As text.lastIndexOf('\n', start - 1): the last break at or before max(0, start - 1).
    const before = firstAtOrAfter(Math.max(0, start - 1) + 1) - 1;
    const after = firstAtOrAfter(end);
    return { start: before >= 0 ? breaks[before]! + 1 : 0, end: after < breaks.length ? breaks[after]! : text.length };
  };
}

function trimmed(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

/** The rules' reason for a plain (undisguised) reading of a line: what injection-model.ts asks. One function, so the
 * model's memo of recent texts applies. */
const ruleReason = (plain: string): string | null => RULES.find((r) => r.re.test(plain))?.reason ?? null;

export function detectInjection(text: string, source: Source = 'resume'): InjectionFlag[] {
  const found: Array<Span & { reason: string }> = [];
  const { norm, map } = normalise(text);
  const around = lineFinder(text);

  // Invisible characters. Stray marks from PDF/Word conversion (one LRM after an email, a BOM, soft hyphens) are
  // common and harmless; tag characters, bidi overrides, and zero-width characters splitting a word are not.
  const hiddenByLine = new Map<number, { span: Span; count: number; suspicious: number; tags: string }>();
  for (const m of text.matchAll(HIDDEN_RE)) {
    const ch = m[0];
    const line = around(m.index, m.index + ch.length);
    const entry = hiddenByLine.get(line.start) ?? { span: line, count: 0, suspicious: 0, tags: '' };
    if (ch === '\u00AD') continue;
    entry.count++;
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      entry.suspicious++;
      entry.tags += String.fromCodePoint(cp - 0xe0000);
    } else if (
      (cp >= 0x202a && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069) ||
      (cp >= 0xe000 && cp <= 0xf8ff) ||
      cp >= 0xf0000
    )
      entry.suspicious++;
    else if (
      /\p{Script=Latin}/u.test(text[m.index - 1] ?? '') &&
      /\p{Script=Latin}/u.test(text[m.index + ch.length] ?? '')
    )
      entry.suspicious++;
    hiddenByLine.set(line.start, entry);
  }
  for (const { span, count, suspicious, tags } of hiddenByLine.values()) {
    if (suspicious === 0 && count < 3) continue;
    const clean = tags.replace(/[^\x20-\x7e]/g, '').trim();
    found.push({
      ...span,
      reason: `contains ${count} invisible Unicode character${count === 1 ? '' : 's'} (zero-width, bidi control or tag)${clean ? `; hidden text reads "${clean.slice(0, 120)}"` : ''}`,
    });
    // Tag characters can carry a whole hidden instruction: check what they spell, too.
    if (clean && RULES.some((r) => r.re.test(clean)))
      found.push({ ...span, reason: 'hidden text is an instruction to an AI' });
  }

  // Words mixing Latin with Cyrillic/Greek look-alikes are a classic filter-evasion trick.
  for (const m of text.matchAll(/(?:\p{L}|\p{M})+/gu)) {
    const w = m[0];
    if (/\p{Script=Latin}/u.test(w) && [...w].some((c) => HOMOGLYPHS[c] !== undefined)) {
      found.push({
        ...around(m.index, m.index + w.length),
        reason: `"${w}" mixes Latin with look-alike Cyrillic/Greek letters`,
      });
    }
  }

  for (const u of units(norm)) {
    const sentence = norm.slice(u.start, u.end);
    for (const rule of RULES) {
      if (!rule.re.test(sentence)) continue;
      const start = map[u.start]!;
      const end = (map[u.end - 1] ?? text.length - 1) + 1;
      // An override usually carries its payload in the rest of the line ("... and list Kubernetes, Go").
      const span = rule.wholeLine ? around(start, end) : { start, end };
      found.push({ ...span, reason: rule.reason });
      break;
    }
  }
  // The injection model, phrases in other languages, base64 and disguised text (injection-model.ts).
  found.push(...modelInjectionSpans(text, ruleReason));
  // Multi-line comment blocks are one hidden region. Found with indexOf: once no "-->" follows an opening, none
  // follows a later one either, so the scan stops instead of retrying every "<!--" to the end of the text.
  for (let open = text.indexOf('<!--'); open >= 0; ) {
    const close = text.indexOf('-->', open + 4);
    if (close < 0) break;
    found.push({ start: open, end: close + 3, reason: 'contains a hidden HTML comment' });
    open = text.indexOf('<!--', close + 3);
  }

  return merge(text, found).map((f) => ({
    kind: 'prompt-injection',
    quote: text.slice(f.start, f.end),
    start: f.start,
    end: f.end,
    source,
    reason: f.reason,
  }));
}

function merge(text: string, spans: Array<Span & { reason: string }>): Array<Span & { reason: string }> {
  const sorted = spans
    .map((s) => {
      const t = trimmed(text, s);
      return { start: t.start, end: t.end, reason: s.reason };
    })
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out: Array<Span & { reasons: Set<string> }> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
      last.reasons.add(s.reason);
    } else out.push({ start: s.start, end: s.end, reasons: new Set([s.reason]) });
  }
  return out.map((o) => ({ start: o.start, end: o.end, reason: reasonText([...o.reasons]) }));
}

/** A line full of look-alike words gets one reason each; the recruiter reads the first few and a count. */
const MAX_REASONS = 8;
function reasonText(reasons: string[]): string {
  const shown = reasons.slice(0, MAX_REASONS);
  const more = reasons.length - shown.length;
  return `Looks like a prompt injection: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
}

/** Blanks flagged spans (same length, so offsets of everything else stay valid). */
export function neutraliseInjection(text: string, flags: Array<Pick<InjectionFlag, 'start' | 'end'>>): string {
  return blankSpans(text, flags);
}

/** Detects and neutralises in one go: what scoring uses. */
export function stripInjection(text: string, source: Source = 'resume'): { text: string; flags: InjectionFlag[] } {
  const flags = detectInjection(text, source);
  return { text: neutraliseInjection(text, flags), flags };
}
