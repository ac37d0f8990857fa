import { z } from 'zod';
import type { LeverClient } from './client.ts';
import { nullIfNotFound } from './errors.ts';
import {
  type Application,
  type Offer,
  type Opportunity,
  type Posting,
  type Requisition,
  RequisitionSchema,
} from './schemas.ts';

/**
 * Offers and requisitions as Lever serves them (docs/lever-api.md §4, §5), typed beyond the loose OfferSchema:
 * - an offer's `fields[]` are `{text, identifier, value}`; the standard identifiers are `salary_amount` (a number),
 *   `compensation_currency` (ISO code), `salary_interval` (`per-year-salary`, `per-month-salary`, `per-hour-wage`,
 *   ...), `anticipated_start_date` (epoch ms); organisations add `custom_*` fields (bonus, equity, ...), read-only;
 * - a requisition carries `compensationBand {currency, interval, min, max}` (requisitions are the only object
 *   with API custom fields);
 * - an opportunity is tied to a requisition by its application's `requisitionForHire` (set once hired against one)
 *   or, before that, by its posting's `requisitionCodes[]` (`GET /requisitions?requisition_code=`).
 */

export const OFFER_FIELD = {
  salary: 'salary_amount',
  currency: 'compensation_currency',
  interval: 'salary_interval',
  startDate: 'anticipated_start_date',
} as const;

/** A field value: Lever sends numbers, strings, epoch-ms dates, booleans or null; anything else is kept as text. */
const FieldValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]).catch((ctx) => {
  const v = ctx.value;
  return v === undefined ? null : JSON.stringify(v);
});

export const OfferFieldSchema = z.looseObject({
  text: z.string().nullish(),
  identifier: z.string().min(1),
  value: FieldValueSchema.optional(),
});
export type OfferField = z.infer<typeof OfferFieldSchema>;

/** The typed fields of one offer; fields without an identifier are dropped (Lever always sends one). */
export function offerFieldsOf(offer: Offer): OfferField[] {
  const out: OfferField[] = [];
  for (const raw of offer.fields ?? []) {
    const f = OfferFieldSchema.safeParse(raw);
    if (f.success) out.push(f.data);
  }
  return out;
}

/** `requisitionForHire` on an application (Lever adds `hiringManagerOnHire`; both optional). */
const RequisitionForHireSchema = z.looseObject({
  id: z.string().nullish(),
  requisitionCode: z.string().nullish(),
  hiringManagerOnHire: z.string().nullish(),
});

export function requisitionForHireOf(app: Application | null): z.infer<typeof RequisitionForHireSchema> | null {
  const parsed = RequisitionForHireSchema.safeParse(app?.requisitionForHire);
  return parsed.success ? parsed.data : null;
}

/** Requisitions with this code (`GET /requisitions?requisition_code=`); codes are unique per account in practice. */
export async function requisitionsByCode(lever: LeverClient, code: string): Promise<Requisition[]> {
  const out: Requisition[] = [];
  for await (const r of lever.paginate('/requisitions', { requisition_code: code }, RequisitionSchema)) {
    // Defensive: an API (or emulator) that ignores the filter must not hand us someone else's band.
    if ((r as Requisition).requisitionCode === code) out.push(r as Requisition);
  }
  return out;
}

export type RequisitionLink = {
  requisition: Requisition;
  /** How it was found: the application's requisitionForHire, or the posting's requisition code. */
  via: 'requisitionForHire' | 'postingRequisitionCode';
};

/**
 * The requisition an offer is for: the one the opportunity was hired against, else the posting's (first code that
 * resolves). Null when neither exists; a 404 on a stale id is treated as "not linked".
 */
export async function requisitionFor(
  lever: LeverClient,
  app: Application | null,
  posting: Posting | null,
): Promise<RequisitionLink | null> {
  const hire = requisitionForHireOf(app);
  if (hire?.id) {
    const r = await lever.getRequisition(hire.id).catch(nullIfNotFound);
    if (r) return { requisition: r, via: 'requisitionForHire' };
  }
  const codes = [...(hire?.requisitionCode ? [hire.requisitionCode] : []), ...(posting?.requisitionCodes ?? [])];
  for (const code of codes) {
    const [r] = await requisitionsByCode(lever, code);
    if (r) return { requisition: r, via: 'postingRequisitionCode' };
  }
  return null;
}

/** The newest offer of an opportunity (Lever keeps older, superseded ones in the list). */
export async function latestOffer(lever: LeverClient, opportunityId: string): Promise<Offer | null> {
  let best: Offer | null = null;
  for await (const o of lever.listOffers(opportunityId)) {
    if (!best || (o.createdAt ?? 0) >= (best.createdAt ?? 0)) best = o;
  }
  return best;
}

export function firstApplicationOf(opp: Opportunity): Application | null {
  for (const a of opp.applications ?? []) if (typeof a === 'object') return a;
  return null;
}
