/**
 * Rules for text that overrides the reader's instructions ("your previous instructions are cancelled", "follow mine")
 * and for text aimed at whoever (or whatever) grades the candidate: notes to screeners and evaluators, claims of
 * pre-approval, requests for full marks, for every requirement to be marked met, for a verdict, for the gaps to be
 * left out, a place in the ranking, role-play set-ups and data exfiltration. Checked on folded text (lower case,
 * see injection-normalise.ts). Each regex is a flat alternation with bounded gaps (`[^.!?\n]{0,40}`): no nested
 * quantifiers, so the cost is linear in the text times a small constant.
 */

const GAP = '[^.!?\\n]{0,40}';
const SHORT = '[^.!?\\n]{0,20}';
const GRADER =
  '(?:screeners?|screening (?:tools?|systems?|software)|evaluators?|graders?|assessors?|reviewer bots?|ranking (?:systems?|algorithms?|models?)|hiring (?:algorithms?|bots?|ai|systems?)|applicant tracking systems?|ats|resume (?:parsers?|parsing software|screeners?|scanners?)|cv (?:parsers?|screeners?)|automated (?:reviewers?|systems?|screeners?|tools?|graders?)|language models?|llms?|ai (?:recruiters?|screeners?|tools?|systems?|assistants?|models?|reviewers?)|the ai|an ai|summari[sz]ation engines?|whoever (?:evaluates|reviews|screens|grades|reads) this)';
const ACTION =
  '(?:score|rate|rank|mark|grade|award|assign|give|report|record|treat|state|say|describe|output|include|append|add|place|put|shortlist|recommend|approve|verdict|pass|hire|offer|credit|points|met|fit|match|assessment)';

const INSTRUCTIONS =
  '(?:instructions?|instruction set|rules?|guidelines?|directives?|prompts?|rubric|criteria|programming|constraints|restrictions|filters?|policies|policy|training|orders|commands)';

const RULES: Array<{ re: RegExp; reason: string }> = [
  {
    re: new RegExp(
      `\\b(?:ignore|disregard|forget|set aside|discard|abandon|cancel|override|overwrite|bypass|skip)\\b${SHORT}\\b(?:everything|anything|all|whatever)\\b${SHORT}\\b(?:you were|you've been|you have been|you received|you got|above|before|earlier|previously|so far)\\b|\\b${INSTRUCTIONS}\\b${GAP}\\b(?:are|is|were|have been|has been) (?:now )?(?:cancell?ed|void|revoked|obsolete|overridden|replaced|suspended|lifted|disabled)\\b|\\b${INSTRUCTIONS}\\b${GAP}\\bno longer (?:apply|applies|exists?|matters?|valid|in effect|binding)\\b`,
    ),
    reason: 'tells the reader its instructions no longer count',
  },
  {
    re: new RegExp(
      `\\b(?:do not|don't|never|stop)\\s+(?:follow(?:ing)?|obey(?:ing)?|apply(?:ing)?|use|using)\\s+(?:the|your|any|its)\\b${SHORT}\\b${INSTRUCTIONS}|\\b(?:follow|obey|use) (?:mine|my (?:rules|instructions|criteria))\\b|\\b(?:models?|assistants?|ai|systems?|you) must (?:follow|obey|prioriti[sz]e) (?:it|this|these|them|mine)\\b|\\b(?:updated|new|revised|real) (?:instruction set|set of instructions|rules) (?:from|by)\\b`,
    ),
    reason: 'tells the reader whose instructions to follow',
  },
  {
    re: /^\s*(?:admin |system |developer )?override\s*[:!]|\bstop (?:what you are doing|what you're doing|your (?:current )?(?:task|analysis|evaluation))\b|\breveal (?:your|the) (?:system prompt|hidden prompt|instructions|prompt)\b/,
    reason: 'tries to take over the reader',
  },
  {
    re: /\b(?:rate|score|rank|grade|evaluate|assess|judge|review)\s+(?:this|the|my|me)\b[^.!?\n]{0,30}\b(?:highly|high|higher|favou?rably|positively|generously|kindly)\b|\b(?:states?|says?|reports?|concludes?|confirms?) that (?:all|every|each) (?:requirements?|criteria|criterion|skills?) (?:are|is|were) (?:fully )?(?:met|satisfied|fulfilled)\b/,
    reason: 'asks for a particular rating',
  },
  {
    re: new RegExp(
      `\\b(?:any|all|every|the) (?:automated|ai|screening|parsing|ranking) (?:systems?|tools?|software|models?)\\b${GAP}\\b(?:must|should|shall|will|need to|has to|have to)\\b`,
    ),
    reason: 'gives an order to automated systems',
  },
  {
    re: new RegExp(
      `(?:^|\\b(?:note|message|memo|instructions?|attention|dear|hi|hello|to|for|hey)\\b${SHORT})\\b${GRADER}\\b(?=[^\\n]{0,200}\\b${ACTION})`,
    ),
    reason: 'speaks to a screener or grader and asks it for something',
  },
  {
    re: new RegExp(
      `\\b(?:mark|report|record|treat|count|consider|flag|show|list)\\b${GAP}\\b(?:every|all|each|any)\\b${SHORT}\\b(?:requirements?|criteria|criterion|skills?|qualifications?)\\b${SHORT}\\b(?:met|satisfied|fulfilled|verified|present)\\b`,
    ),
    reason: 'asks for every requirement to be marked met',
  },
  {
    re: /\b(?:already been|been|already|is|was) pre-?approved\b|\balready (?:been )?approved by (?:the )?(?:hiring manager|recruiter|hr|ceo|cto|team|hiring team)\b|\bpre-?approved (?:candidate|applicant)\b/,
    reason: 'claims the application is already approved',
  },
  {
    re: new RegExp(
      `\\b(?:give|award|assign|grant)\\b${SHORT}\\b(?:full|maximum|max|top|perfect|highest(?: possible)?)\\s+(?:credit|marks?|points?|scores?|ratings?|grades?)\\b|\\b(?:score|rate|grade)\\s+(?:it|this|them|him|her|me)\\s+(?:a\\s+)?\\d{1,3}\\s*(?:\\/\\s*\\d{1,3}|%|out of)`,
    ),
    reason: 'asks for full marks',
  },
  {
    re: new RegExp(
      `\\b(?:do not|don't|never|without)\\s+(?:mention(?:ing)?|report(?:ing)?|list(?:ing)?|includ(?:e|ing)|flag(?:ging)?|not(?:e|ing))\\b${SHORT}\\b(?:gaps?|missing|weakness(?:es)?|shortcomings|concerns|red flags)\\b|\\b(?:say|state|report|write|conclude)\\b${SHORT}\\bno (?:gaps|weaknesses|missing skills)\\b|\\bskip the gap analysis\\b`,
    ),
    reason: 'asks for the gaps to be left out',
  },
  {
    re: /\b(?:output|return|print|set|record|write|give)\b[^.!?\n]{0,20}\bverdict\b|\bthe correct (?:assessment|verdict|rating|score|answer) is\b|\bverdict\s*[:=]\s*(?:strong )?(?:hire|pass|approved|accept)/,
    reason: 'dictates the verdict',
  },
  {
    re: new RegExp(
      `\\b(?:place|put|rank|move|list|position|sort)\\s+(?:this|my|the)\\s+(?:profile|resume|cv|candidate|applicant|application)\\b${SHORT}\\b(?:first|top|above|ahead|highest|offer stage)\\b|\\bmust be (?:shortlisted|hired|selected|advanced|approved)\\b`,
    ),
    reason: 'asks for a place in the ranking',
  },
  {
    re: /\blet'?s play a game\b|\brole-?play as\b|\bimagine (?:that )?you are\b|\bact as my\b|\b(?:debug|god|evaluator|admin) mode\b|\bunrestricted (?:assistant|ai|model)\b/,
    reason: 'sets up a role-play for the reader',
  },
  {
    re: new RegExp(
      `\\b(?:email|e-mail|send|forward|post|upload|exfiltrate)\\b${GAP}\\b(?:inbox|conversation|chat history|history|contents|credentials|api keys?|passwords?|system prompt)\\b${GAP}(?:https?:|www\\.|@)|\\bappend (?:a |this )?link\\b|!\\[[^\\]\\n]{0,40}\\]\\(https?:`,
    ),
    reason: 'asks the reader to send data or links elsewhere',
  },
  {
    re: new RegExp(
      `\\b(?:when|if|upon|while|once)\\b${SHORT}\\b(?:you|an? (?:ai|assistant|model|llm|bot)|the (?:ai|assistant|model|llm|bot)|any (?:ai|assistant|model|automated system))\\b${SHORT}\\b(?:summari[sz]|read|process|pars|evaluat|review|screen|rank|scor|analy[sz])\\w*${GAP}\\b(?:say|state|include|mention|add|describe|tell|report|write|rate|score|must|should|append)\\b`,
    ),
    reason: 'tells an AI what to do when it reads this',
  },
];

/** Why a folded unit of text reads as aimed at a grader, or null. */
export function graderReason(folded: string): string | null {
  for (const r of RULES) if (r.re.test(folded)) return r.reason;
  return null;
}
