/**
 * Years of experience: minimum years asked for in a requirement ("at least four years", "5+ years", "3-5 years")
 * and years shown in a resume (date ranges "2019 - 2023", "Jan 2019 – Present", or claims "4 years of ...").
 */

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  a: 1,
  an: 1,
};
const NUM = String.raw`(\d{1,2}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)`;
const YEARS_RE = new RegExp(
  // The same words as `NUM \s* (\+|plus)? \s* ((-|–|to) \s* NUM \s* \+? \s*)? -? \s* …` with no two \s* side by side:
  // those split a long run of blanks every possible way and made one number before it cost O(blanks²) or worse.
  String.raw`\b${NUM}\s*(?:(?:\+|plus)\s*)?(?:(?:-|–|to)\s*${NUM}\s*(?:\+\s*)?)?(?:-\s*)?(?:full[- ]time\s+)?(years?|yrs?)\b`,
  'gi',
);

function toNumber(s: string): number {
  const lower = s.toLowerCase();
  return NUMBER_WORDS[lower] ?? Number.parseFloat(lower);
}

/** The smallest number of years a requirement asks for, or null when it names none. */
export function minYearsAsked(text: string): number | null {
  let best: number | null = null;
  for (const m of text.matchAll(YEARS_RE)) {
    const n = toNumber(m[1]!);
    if (Number.isFinite(n) && n > 0 && n <= 40) best = best === null ? n : Math.min(best, n);
  }
  return best;
}

/** Years claimed in free text ("4 years of work experience"), largest first. */
export function yearsClaimed(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(YEARS_RE)) {
    const n = toNumber(m[1]!);
    if (Number.isFinite(n) && n > 0 && n <= 50) out.push(n);
  }
  return out.sort((a, b) => b - a);
}

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  sept: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};
// At most 40 letters after a month's first letters ("september", "marketing"): unbounded, a run like "marmarmar…"
// rescanned the run from every "mar" in it.
const MONTH = String.raw`(?:(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]{0,40}\.?,?\s+|(\d{1,2})/)?`;
// "2019 - 2023", "2019 to present", "From: 2017 To: 2020", "from 2015 through 2020", "2015 up to 2019", and
// "between 2013 and 2016" ("and" only after "between": "SQL 2008 and 2012" is two versions, not a range).
const RANGE_RE = new RegExp(
  String.raw`${MONTH}((?:19|20)\d{2})\s*(?:-|–|—|to:?|until|till|through|thru|up\s+to|(?<=\bbetween\s+\S*\s*(?:19|20)\d{2}\s*)and)\s*(?:${MONTH}((?:19|20)\d{2})|(present|current|now|today|date|ongoing))`,
  'gi',
);

export type DateRange = { start: number; end: number; years: number; index: number; length: number };

/** Date ranges in a line, with their length in years (month precision when months are given). */
export function dateRanges(text: string, nowYear: number): DateRange[] {
  const out: DateRange[] = [];
  for (const m of text.matchAll(RANGE_RE)) {
    const startMonth = m[1] ? MONTHS[m[1].toLowerCase().slice(0, 3)] : m[2] ? Number(m[2]) - 1 : undefined;
    const endMonth = m[4] ? MONTHS[m[4].toLowerCase().slice(0, 3)] : m[5] ? Number(m[5]) - 1 : undefined;
    const startYear = Number(m[3]);
    const endYear = m[6] ? Number(m[6]) : nowYear;
    let years = endYear - startYear;
    if (startMonth !== undefined && endMonth !== undefined) years += (endMonth - startMonth) / 12;
    if (years < 0 || years > 50) continue;
    out.push({
      start: startYear,
      end: endYear,
      years: Math.round(years * 10) / 10,
      index: m.index,
      length: m[0].length,
    });
  }
  return out;
}
