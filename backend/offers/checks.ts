import { formatAmount, formatDate, type LetterFields } from './letter-fields.ts';
import { compensationOf, customFieldLike, type OfferData, toDateMs, toNumber } from './lever-data.ts';
import { type OfferTemplate, templateMentions } from './template.ts';

/**
 * The checks an offer letter must pass before anyone approves it. Each compares the letter (as it will be sent,
 * edits included) with what Lever says, never with what the draft step believed. A failed check blocks approval
 * until it is resolved (a new version, or for the band an explicit justification) or overridden by a Fulcrum admin
 * with a reason (offers/service.ts).
 */

export const CHECK_NAMES = [
  'salary_in_band',
  'currency_consistent',
  'interval_consistent',
  'start_date',
  'candidate_name',
  'job_title',
  'bonus_present',
  'equity_present',
  'fields_complete',
  'numbers_match_lever',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type OfferCheck = { name: CheckName; ok: boolean; detail: string };

export type CheckInput = {
  data: OfferData;
  template: OfferTemplate;
  letter: string;
  fields: LetterFields;
  now: Date;
  /** Non-working days, `YYYY-MM-DD` (OFFER_HOLIDAYS and the admins' list, offers/holidays.ts). */
  holidays: readonly string[];
  /** Why a salary outside the band is right; resolves salary_in_band when given. */
  justification?: string | null;
};

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function runChecks(input: CheckInput): OfferCheck[] {
  return [
    salaryInBand(input),
    ...consistency(input),
    startDate(input),
    candidateName(input),
    jobTitle(input),
    extraPresent(input, 'bonus'),
    extraPresent(input, 'equity'),
    fieldsComplete(input),
    numbersMatchLever(input),
  ];
}

function salaryInBand({ data, justification }: CheckInput): OfferCheck {
  const name = 'salary_in_band';
  const comp = compensationOf(data);
  const band = data.requisition?.compensationBand;
  if (!data.offer) return { name, ok: false, detail: 'Lever has no offer for this opportunity.' };
  if (comp.amount === null) return { name, ok: false, detail: 'The offer has no numeric salary_amount field.' };
  if (!data.requisition) {
    return {
      name,
      ok: false,
      detail:
        'No requisition found for this opportunity (neither requisitionForHire nor the posting’s requisition codes).',
    };
  }
  if (!band || typeof band.min !== 'number' || typeof band.max !== 'number') {
    return {
      name,
      ok: false,
      detail: `Requisition ${data.requisition.requisitionCode ?? data.requisition.id} has no compensation band.`,
    };
  }
  const range = `${band.currency ?? '?'} ${formatAmount(band.min)}–${formatAmount(band.max)}`;
  if (comp.currency && band.currency && comp.currency !== band.currency) {
    return {
      name,
      ok: false,
      detail: `Cannot compare: the offer is in ${comp.currency}, the band (${range}) in ${band.currency}.`,
    };
  }
  const amount = `${comp.currency ?? ''} ${formatAmount(comp.amount)}`.trim();
  if (comp.amount >= band.min && comp.amount <= band.max) {
    return { name, ok: true, detail: `${amount} is inside the requisition’s band ${range}.` };
  }
  const side = comp.amount > band.max ? 'above' : 'below';
  const why = justification?.trim();
  if (why) return { name, ok: true, detail: `${amount} is ${side} the band ${range}; justified: “${why}”.` };
  return {
    name,
    ok: false,
    detail: `${amount} is ${side} the requisition’s band ${range}: give a justification or correct the offer in Lever.`,
  };
}

function consistency({ data, template }: CheckInput): OfferCheck[] {
  const comp = compensationOf(data);
  const band = data.requisition?.compensationBand;
  const one = (
    name: 'currency_consistent' | 'interval_consistent',
    what: string,
    offer: string | null,
    bandValue: string | null | undefined,
    tpl: string | null,
  ): OfferCheck => {
    if (!offer) return { name, ok: false, detail: `The offer has no ${what}.` };
    const differs: string[] = [];
    if (bandValue && bandValue !== offer) differs.push(`the band says ${bandValue}`);
    if (tpl && tpl !== offer) differs.push(`the template is written for ${tpl}`);
    if (differs.length)
      return { name, ok: false, detail: `The offer’s ${what} is ${offer}, but ${differs.join(' and ')}.` };
    const agreed = [bandValue ? 'the band' : null, tpl ? 'the template' : null].filter(Boolean);
    return {
      name,
      ok: true,
      detail: agreed.length
        ? `${offer} in the offer and ${agreed.join(' and ')}.`
        : `${offer} (nothing else states one).`,
    };
  };
  return [
    one('currency_consistent', 'currency', comp.currency, band?.currency, template.currency),
    one('interval_consistent', 'salary interval', comp.interval, band?.interval, template.interval),
  ];
}

function startDate({ data, now, holidays }: CheckInput): OfferCheck {
  const name = 'start_date';
  const ms = compensationOf(data).startDate;
  if (ms === null) return { name, ok: false, detail: 'The offer has no anticipated_start_date.' };
  const day = isoDay(ms);
  const label = `${WEEKDAYS[new Date(ms).getUTCDay()]} ${formatDate(ms)}`;
  if (day <= isoDay(now.getTime())) return { name, ok: false, detail: `${label} is not in the future.` };
  const dow = new Date(ms).getUTCDay();
  if (dow === 0 || dow === 6) return { name, ok: false, detail: `${label} is a weekend day.` };
  if (holidays.includes(day))
    return { name, ok: false, detail: `${label} is a configured holiday (OFFER_HOLIDAYS or the admins' list).` };
  return { name, ok: true, detail: `${label}: a future working day.` };
}

/** An offer field that restates a Lever object's field (some organisations add candidate name / job title). */
function restated(data: OfferData, re: RegExp): string | null {
  const f = data.fields.find((x) => re.test(x.identifier) || re.test(x.text ?? ''));
  return f && typeof f.value === 'string' ? f.value.trim() : null;
}

function candidateName({ data, letter }: CheckInput): OfferCheck {
  const name = 'candidate_name';
  const lever = data.opportunity.name?.trim();
  if (!lever) return { name, ok: false, detail: 'The opportunity has no name in Lever.' };
  const offerName = restated(data, /candidate[_ ]?name/i);
  if (offerName && offerName !== lever) {
    return { name, ok: false, detail: `The offer names “${offerName}” but the candidate in Lever is “${lever}”.` };
  }
  if (!letter.includes(lever))
    return { name, ok: false, detail: `The letter never names the candidate as in Lever (“${lever}”).` };
  return { name, ok: true, detail: `The letter names “${lever}”, as Lever does.` };
}

function jobTitle({ data, letter }: CheckInput): OfferCheck {
  const name = 'job_title';
  const title = data.posting?.text?.trim();
  if (!title) return { name, ok: false, detail: 'The opportunity has no posting in Lever, so no job title to check.' };
  const offerTitle = restated(data, /job[_ ]?title|position/i);
  if (offerTitle && offerTitle !== title) {
    return { name, ok: false, detail: `The offer says “${offerTitle}” but the posting is “${title}”.` };
  }
  if (!letter.includes(title))
    return { name, ok: false, detail: `The letter never states the job title as in Lever (“${title}”).` };
  return { name, ok: true, detail: `The letter states “${title}”, the posting’s title.` };
}

function extraPresent({ data, template }: CheckInput, kind: 'bonus' | 'equity'): OfferCheck {
  const name = kind === 'bonus' ? 'bonus_present' : 'equity_present';
  if (!templateMentions(template, kind)) return { name, ok: true, detail: `The template does not mention ${kind}.` };
  const f = customFieldLike(data, kind);
  if (!f || f.value === null || f.value === undefined || f.value === '') {
    return { name, ok: false, detail: `The template mentions ${kind}, but the offer in Lever has no ${kind} field.` };
  }
  return { name, ok: true, detail: `The template mentions ${kind}; the offer has ${f.identifier}.` };
}

function fieldsComplete({ letter }: CheckInput): OfferCheck {
  const name = 'fields_complete';
  const missing = [...new Set([...letter.matchAll(/\[missing: ([a-z0-9_]+)\]/g)].map((m) => m[1] as string))];
  if (missing.length)
    return { name, ok: false, detail: `Lever has no value for ${missing.map((m) => `{{${m}}}`).join(', ')}.` };
  return { name, ok: true, detail: 'Every field of the template has a value from Lever.' };
}

const MONTH_NAMES = 'January|February|March|April|May|June|July|August|September|October|November|December';
const DATE_DMY = new RegExp(`\\b(\\d{1,2})\\s+(${MONTH_NAMES})\\s+(\\d{4})\\b`, 'g');
const DATE_MDY = new RegExp(`\\b(${MONTH_NAMES})\\s+(\\d{1,2}),?\\s+(\\d{4})\\b`, 'g');
const DATE_ISO = /\b(\d{4})-(\d{2})-(\d{2})\b/g;
const NUMBER = /\d[\d,]*(?:\.\d+)?/g;

/**
 * Every figure in the letter must be a Lever value: each date one of the offer's dates, each number one of the
 * offer's numeric fields. Text fields that contain digits (a requisition code, a title like "Level II") are matched
 * whole first. Ordered-list markers ("1. ") are layout, not figures. Linear in the letter's length.
 */
function numbersMatchLever({ data, letter, fields }: CheckInput): OfferCheck {
  const name = 'numbers_match_lever';
  const dates = new Set<string>();
  const numbers = new Set<number>();
  for (const f of data.fields) {
    const d = /date/i.test(f.identifier) ? toDateMs(f.value) : null;
    if (d !== null) dates.add(isoDay(d));
    else {
      const n = toNumber(f.value);
      if (n !== null) numbers.add(n);
    }
  }
  let text = letter.replace(/^[ \t]*\d{1,3}\.[ \t]/gm, ' ');
  // Digit-bearing text values from Lever (not numbers): remove their exact occurrences.
  for (const v of Object.values(fields)) {
    if (/\d/.test(v.value) && toNumber(v.value) === null && !/^\d{1,2} [A-Z][a-z]+ \d{4}$/.test(v.value)) {
      text = text.split(v.value).join(' ');
    }
  }
  const bad: string[] = [];
  const monthIndex = (m: string) => MONTH_NAMES.split('|').indexOf(m);
  const dateSeen = (y: number, mo: number, d: number, raw: string) => {
    const iso = `${String(y).padStart(4, '0')}-${String(mo + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    if (!dates.has(iso)) bad.push(`“${raw}” (no Lever date field is ${iso})`);
    return ' ';
  };
  text = text.replace(DATE_DMY, (raw, d, m, y) => dateSeen(Number(y), monthIndex(m), Number(d), raw));
  text = text.replace(DATE_MDY, (raw, m, d, y) => dateSeen(Number(y), monthIndex(m), Number(d), raw));
  text = text.replace(DATE_ISO, (raw, y, mo, d) => dateSeen(Number(y), Number(mo) - 1, Number(d), raw));
  for (const m of text.matchAll(NUMBER)) {
    const raw = m[0].replace(/[,.]+$/, '');
    const n = Number(raw.replace(/,/g, ''));
    if (!numbers.has(n)) bad.push(`“${raw}” (not a Lever offer field)`);
  }
  if (bad.length) {
    const shown = bad.slice(0, 10).join(', ');
    return {
      name,
      ok: false,
      detail: `Figures in the letter that Lever does not state: ${shown}${bad.length > 10 ? ', …' : ''}.`,
    };
  }
  return { name, ok: true, detail: 'Every number and date in the letter is a Lever offer field.' };
}
