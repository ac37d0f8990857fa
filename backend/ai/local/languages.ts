/** Human languages, to tell "Fluent Spanish" (a language criterion) from "Java" (a skill). */
export const HUMAN_LANGUAGES = [
  'english',
  'spanish',
  'french',
  'german',
  'italian',
  'portuguese',
  'dutch',
  'russian',
  'ukrainian',
  'polish',
  'czech',
  'swedish',
  'norwegian',
  'danish',
  'finnish',
  'greek',
  'turkish',
  'arabic',
  'hebrew',
  'persian',
  'farsi',
  'hindi',
  'urdu',
  'bengali',
  'punjabi',
  'tamil',
  'telugu',
  'marathi',
  'gujarati',
  'chinese',
  'mandarin',
  'cantonese',
  'japanese',
  'korean',
  'vietnamese',
  'thai',
  'indonesian',
  'malay',
  'tagalog',
  'filipino',
  'swahili',
  'romanian',
  'hungarian',
  'bulgarian',
  'serbian',
  'croatian',
  'slovak',
  'slovenian',
  'catalan',
  'basque',
  'irish',
  'welsh',
  'amharic',
  'somali',
  'yoruba',
  'hausa',
  'zulu',
  'afrikaans',
  'asl',
  'sign language',
  'lithuanian',
  'latvian',
  'estonian',
  'icelandic',
  'albanian',
  'armenian',
  'georgian',
  'kazakh',
  'uzbek',
  'nepali',
  'sinhala',
  'khmer',
];
const LANG_RE = new RegExp(`\\b(${HUMAN_LANGUAGES.join('|')})\\b`, 'gi');
/** The same names, global, for finding the lines of a long text that name a language in one pass. */
export const LANGUAGE_HINT = new RegExp(LANG_RE.source, 'gi');
const FLUENCY_RE =
  /\b(fluen\w*|native|bilingual|multilingual|proficien\w*|speak\w*|spoken|written and (verbal|spoken)|language|conversational|business[- ]level|mother tongue|c1|c2|b2)\b/i;

/** Languages a text names, lower-cased. */
export function languagesIn(text: string): string[] {
  return [...new Set([...text.matchAll(LANG_RE)].map((m) => m[1]!.toLowerCase()))];
}

/** True when a requirement asks for a spoken/written language rather than naming one in passing. */
export function isLanguageRequirement(text: string): boolean {
  return languagesIn(text).length > 0 && FLUENCY_RE.test(text);
}
