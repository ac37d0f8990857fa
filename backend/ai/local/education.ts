/** Degree levels, so "Master's" satisfies "Bachelor's degree or higher" and a diploma does not. */

export const DEGREE_LEVELS = { none: 0, highSchool: 1, associate: 2, bachelor: 3, master: 4, doctorate: 5 } as const;

/** "MS SQL Server", "MS Office": Microsoft, not a Master of Science. */
export const MICROSOFT_PRODUCT =
  /\bms[\s-]+(?:sql|office|excel|word|access|project|dynamics|teams|visio|exchange|windows|azure|outlook|powerpoint|sharepoint|server|dos)\b/gi;
/**
 * A lower-case "ms" naming a further thing ("knowledge of ms analytics platform") is no degree either: a degree is
 * written "MS", or followed by what a degree takes ("ms in ...", "ms degree").
 */
const LOWER_MS_THING =
  /(?<![\p{L}\p{N}])ms[\s-]+(?!(?:in|degree|degrees|of|or|and|from|with|preferred|required|plus|is|are|program|programme|student|graduate|level|equivalent)\b)\p{Ll}[\p{L}\p{N}]*/gu;

/** The text with Microsoft products (and other "ms" that is no degree) blanked. */
export function withoutMicrosoft(text: string): string {
  return /\bms\b/i.test(text) ? text.replace(MICROSOFT_PRODUCT, ' ').replace(LOWER_MS_THING, ' ') : text;
}

const PATTERNS: Array<[RegExp, number]> = [
  [/\b(ph\.?\s?d|doctorate|doctoral|doctor of|d\.?phil|md\b|j\.?d\.?\b)/i, 5],
  [/\b(master'?s?|m\.?sc?\b|m\.s\.|mba|m\.?eng|ma\b|m\.a\.|msc|mphil|postgraduate|post-graduate|graduate degree)/i, 4],
  [
    /\b(bachelor'?s?|b\.?sc?\b|b\.s\.|b\.?a\.?\b|b\.?eng|btech|b\.tech|bsc|undergraduate degree|college degree|university degree|four-year degree|4-year degree)/i,
    3,
  ],
  [/\b(associate'?s?\s+degree|associate of|a\.?a\.?s?\b|two-year degree|2-year degree)/i, 2],
  [
    /\b(high school|ged\b|secondary school|diploma|certificate|certification|vocational|apprenticeship|trade school)/i,
    1,
  ],
];

/** The highest degree level a piece of text names (0 when none). A bare "degree" counts as a bachelor's. */
export function degreeLevel(raw: string): number {
  const text = withoutMicrosoft(raw);
  for (const [re, level] of PATTERNS) if (re.test(text)) return level;
  if (/\bdegree\b/i.test(text)) return DEGREE_LEVELS.bachelor;
  return 0;
}

export function isEducationText(text: string): boolean {
  return degreeLevel(text) > 0 || /\b(education|graduate|graduated|university|college|major(ed)? in)\b/i.test(text);
}

export const LEVEL_NAMES = [
  'no degree',
  'high school or diploma',
  "associate's degree",
  "bachelor's degree",
  "master's degree",
  'doctorate',
];
