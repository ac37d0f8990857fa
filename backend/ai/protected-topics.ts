/**
 * Protected characteristics an interviewer must not ask about or weigh: age, family and marital status,
 * pregnancy, religion, nationality and national origin, ethnicity and race, health and disability, gender, sexual
 * orientation, political views. Used in two places: `isProhibitedQuestion` gates every generated interview question
 * (local and LLM), and `findProtectedMentions` flags interview feedback that mentions such a trait.
 *
 * The patterns are deliberately phrased so everyday technical words do not trip them: "race condition",
 * "React Native", "child process", "health check", "partner team", "page age".
 */
export type ProtectedTopic =
  | 'age'
  | 'family'
  | 'pregnancy'
  | 'religion'
  | 'nationality'
  | 'ethnicity'
  | 'health'
  | 'gender'
  | 'sexual-orientation'
  | 'political';

type Rule = { topic: ProtectedTopic; re: RegExp };

// Mentions: wording that refers to the trait itself, in a statement or in a question.
const MENTIONS: Rule[] = [
  {
    topic: 'age',
    re: /\b(?:how old|your age|(?:his|her|their) age|date of birth|birth ?date|years? old|too (?:old|young)|older (?:candidate|guy|man|woman|person)|young(?:er)? (?:candidate|guy|man|woman|person|kid|blood|and (?:energetic|hungry|dynamic))|digital native|recent(?:ly)? graduated? in the last|near(?:ing)? retirement|retire(?:ment)? (?:soon|age)|millennial|boomer|gen z)\b/i,
  },
  { topic: 'age', re: /\b(?:when|what year) did you (?:graduate|finish (?:high )?school)\b/i },
  {
    topic: 'family',
    re: /\b(?:married|marital|spouse|husband|wife|(?:your|his|her) (?:boy|girl)friend|(?:has|have|having|with) (?:(?:young|small|little|\d+|two|three|four|several) ){0,2}(?:kids|children)|(?:your|his|her|their) (?:kids|children|family)|start(?:ing)? a family|family (?:plans|situation|status|obligations|commitments|reasons)|childcare|child care|(?:mother|father|mom|dad|parent) of (?:two|three|\d+|young)|single (?:mother|father|mom|dad|parent)|maiden name)\b/i,
  },
  { topic: 'pregnancy', re: /\b(?:pregnan\w*|maternity|paternity|parental leave|expecting a (?:baby|child))\b/i },
  {
    topic: 'religion',
    re: /\b(?:religio\w*|church|mosque|synagogue|temple|pray(?:s|ing|er)?|sabbath|ramadan|hijab|headscarf|turban|christian|muslim|jewish|hindu|buddhist|sikh|atheist|faith)\b/i,
  },
  {
    topic: 'nationality',
    re: /\b(?:nationality|citizenship|(?:are you|is (?:he|she|they)) an? (?:us |u\.s\. )?citizen|where (?:are|is) (?:you|he|she|they) (?:originally )?from|where (?:were|was) (?:you|he|she|they) born|country of (?:origin|birth)|native[- ](?:language|tongue|country|(?:[a-z]+[- ])?(?:speaker|level))|first language|mother tongue|(?:foreign|heavy|thick|strong) accent|immigrant|foreigner)\b/i,
  },
  {
    topic: 'ethnicity',
    re: /\b(?:ethnic\w*|racial\w*|race(?! ?conditions?)|skin colou?r|caucasian|hispanic|latin[oa]|asian(?! markets?)|african[- ]american)\b/i,
  },
  {
    topic: 'health',
    re: /\b(?:your health|(?:his|her|their) health|health (?:issues?|problems?|conditions?)|medical (?:condition|history|issues?|leave)|disab\w*|illness|chronic|medication|sick (?:days|leave|a lot)|mental(?:ly)? (?:health|ill|unstable)|wheelchair|therapy|depress\w*|anxiety disorder|handicap\w*)\b/i,
  },
  { topic: 'gender', re: /\b(?:gender|female|male|\bgirl\b|lady|feminine|masculine|(?:a|as a) (?:woman|man) in)\b/i },
  {
    topic: 'sexual-orientation',
    re: /\b(?:sexual orientation|gay|lesbian|bisexual|transgender|straight (?:man|woman))\b/i,
  },
  {
    topic: 'political',
    re: /\b(?:political (?:views?|affiliation|party)|(?:vote|voted|voting) for|democrat|republican)\b/i,
  },
];

export type ProtectedMention = { topic: ProtectedTopic; quote: string; start: number; end: number };

/** Every mention of a protected trait in `text`, with its exact span. */
export function findProtectedMentions(text: string): ProtectedMention[] {
  const out: ProtectedMention[] = [];
  for (const rule of MENTIONS) {
    const re = new RegExp(rule.re.source, `${rule.re.flags.replace('g', '')}g`);
    for (const m of text.matchAll(re)) {
      if (out.some((o) => o.start < m.index + m[0].length && m.index < o.end)) continue;
      out.push({ topic: rule.topic, quote: m[0], start: m.index, end: m.index + m[0].length });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * True when an interview question touches a protected characteristic (and must not be asked). Applied to every
 * question any engine produces; a question that fails is dropped, never rewritten.
 */
export function isProhibitedQuestion(text: string): boolean {
  return findProtectedMentions(text).length > 0;
}
