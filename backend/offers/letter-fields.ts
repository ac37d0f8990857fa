import { OFFER_FIELD } from '../lever/offers.ts';
import { compensationOf, customFieldLike, type OfferData, toDateMs, toNumber } from './lever-data.ts';

/**
 * The named fields a template can use, each filled from one Lever field, verbatim: names and titles as Lever has
 * them, amounts as Lever's number (thousands separators added, no rounding), dates as Lever's epoch-ms day (UTC).
 * `source` says where each came from, for the recruiter and for the number check.
 */
export type LetterField = { value: string; source: string };
export type LetterFields = Record<string, LetterField>;

/** Fields every organisation has; `custom_*` offer fields are added per offer under their own identifier. */
export const STANDARD_FIELDS = [
  'candidate_name',
  'candidate_first_name',
  'job_title',
  'team',
  'department',
  'location',
  'hiring_manager',
  'recruiter',
  'salary',
  'currency',
  'salary_interval',
  'start_date',
  'bonus',
  'equity',
  'requisition_code',
  'employment_status',
] as const;

/** Free-text paragraphs: the only parts the engine or the LLM write. */
export const PARAGRAPH_SLOTS = ['welcome', 'role_summary'] as const;
export type ParagraphSlot = (typeof PARAGRAPH_SLOTS)[number];

const INTERVAL_LABELS: Record<string, string> = {
  'per-year-salary': 'per year',
  'per-month-salary': 'per month',
  'per-week-salary': 'per week',
  'per-day-wage': 'per day',
  'per-hour-wage': 'per hour',
  'one-time': 'one-time',
};

export function intervalLabel(interval: string): string {
  return INTERVAL_LABELS[interval] ?? interval;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2 August 2027" (UTC day of Lever's epoch-ms date). */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** 140000 → "140,000"; 52.5 → "52.5": separators only, never rounding what Lever says. */
export function formatAmount(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = (int ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A custom offer field's value as letter text: numbers grouped, epoch-ms dates formatted, text as is. */
export function customText(identifier: string, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (/date/i.test(identifier)) {
    const ms = toDateMs(value);
    if (ms !== null) return formatDate(ms);
  }
  const n = toNumber(value);
  if (n !== null) return formatAmount(n);
  return String(value);
}

export function letterFields(data: OfferData): LetterFields {
  const out: LetterFields = {};
  const put = (name: string, value: string | null | undefined, source: string) => {
    const v = value?.trim();
    if (v) out[name] = { value: v, source };
  };
  const { opportunity: opp, posting, requisition } = data;
  put('candidate_name', opp.name, 'opportunity.name');
  put('candidate_first_name', opp.name?.trim().split(/\s+/)[0], 'opportunity.name');
  put('job_title', posting?.text, 'posting.text');
  put(
    'team',
    requisition?.team ?? posting?.categories?.team,
    requisition?.team ? 'requisition.team' : 'posting.categories.team',
  );
  put(
    'department',
    requisition?.department ?? posting?.categories?.department,
    requisition?.department ? 'requisition.department' : 'posting.categories.department',
  );
  put(
    'location',
    requisition?.location ?? posting?.categories?.location,
    requisition?.location ? 'requisition.location' : 'posting.categories.location',
  );
  put('hiring_manager', data.hiringManager?.name, 'user(hiringManager).name');
  put('recruiter', data.owner?.name, 'user(opportunity.owner).name');
  put('requisition_code', requisition?.requisitionCode, 'requisition.requisitionCode');
  put('employment_status', requisition?.employmentStatus, 'requisition.employmentStatus');

  const comp = compensationOf(data);
  if (comp.amount !== null) put('salary', formatAmount(comp.amount), `offer.fields.${OFFER_FIELD.salary}`);
  put('currency', comp.currency, `offer.fields.${OFFER_FIELD.currency}`);
  if (comp.interval) put('salary_interval', intervalLabel(comp.interval), `offer.fields.${OFFER_FIELD.interval}`);
  if (comp.startDate !== null) put('start_date', formatDate(comp.startDate), `offer.fields.${OFFER_FIELD.startDate}`);

  for (const f of data.fields) {
    if (!f.identifier.startsWith('custom_')) continue;
    put(f.identifier, customText(f.identifier, f.value), `offer.fields.${f.identifier}`);
  }
  for (const kind of ['bonus', 'equity'] as const) {
    const f = customFieldLike(data, kind);
    if (f) put(kind, customText(f.identifier, f.value), `offer.fields.${f.identifier}`);
  }
  return out;
}
