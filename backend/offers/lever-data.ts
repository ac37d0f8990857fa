import {
  type LeverClient,
  nullIfNotFound,
  type Offer,
  type Opportunity,
  type Posting,
  type Requisition,
  type User,
} from '../lever/index.ts';
import {
  firstApplicationOf,
  latestOffer,
  OFFER_FIELD,
  type OfferField,
  offerFieldsOf,
  type RequisitionLink,
  requisitionFor,
} from '../lever/offers.ts';

/**
 * Everything an offer letter is made of, re-read from Lever by opportunity id (the backend never trusts the
 * extension's copy): the opportunity, its posting, the newest offer with its fields, the requisition with its
 * compensation band, and the hiring manager and owner as Lever users. Holds candidate PII: never log it.
 */
export type OfferData = {
  opportunity: Opportunity;
  posting: Posting | null;
  offer: Offer | null;
  fields: OfferField[];
  requisition: Requisition | null;
  requisitionVia: RequisitionLink['via'] | null;
  hiringManager: User | null;
  owner: User | null;
};

export async function readOfferData(lever: LeverClient, opportunityId: string): Promise<OfferData> {
  const opportunity = await lever.getOpportunity(opportunityId, { expand: ['applications', 'stage', 'owner'] });
  const app = firstApplicationOf(opportunity);
  const postingId = typeof app?.posting === 'string' ? app.posting : (app?.posting?.id ?? null);
  const [posting, offer] = await Promise.all([
    postingId ? lever.getPosting(postingId).catch(nullIfNotFound) : Promise.resolve(null),
    latestOffer(lever, opportunityId),
  ]);
  const link = await requisitionFor(lever, app, posting);
  const managerId = userId(link?.requisition.hiringManager) ?? userId(posting?.hiringManager);
  const ownerRef = opportunity.owner;
  const [hiringManager, owner] = await Promise.all([
    managerId ? lever.getUser(managerId).catch(nullIfNotFound) : Promise.resolve(null),
    typeof ownerRef === 'object' && ownerRef
      ? Promise.resolve(ownerRef)
      : ownerRef
        ? lever.getUser(ownerRef).catch(nullIfNotFound)
        : Promise.resolve(null),
  ]);
  return {
    opportunity,
    posting,
    offer,
    fields: offer ? offerFieldsOf(offer) : [],
    requisition: link?.requisition ?? null,
    requisitionVia: link?.via ?? null,
    hiringManager,
    owner,
  };
}

export function userId(ref: string | User | null | undefined): string | null {
  if (!ref) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

/** The value of one offer field by identifier (undefined when the offer has no such field). */
export function fieldValue(data: Pick<OfferData, 'fields'>, identifier: string): OfferField['value'] | undefined {
  return data.fields.find((f) => f.identifier === identifier)?.value;
}

/** The offer's compensation as Lever states it; each part null when missing or not of the documented type. */
export function compensationOf(data: Pick<OfferData, 'fields'>) {
  const amount = toNumber(fieldValue(data, OFFER_FIELD.salary));
  const currency = fieldValue(data, OFFER_FIELD.currency);
  const interval = fieldValue(data, OFFER_FIELD.interval);
  const start = fieldValue(data, OFFER_FIELD.startDate);
  return {
    amount,
    currency: typeof currency === 'string' && currency.trim() ? currency.trim() : null,
    interval: typeof interval === 'string' && interval.trim() ? interval.trim() : null,
    startDate: toDateMs(start),
  };
}

/** A custom field that is a bonus, or equity (`custom_*` identifiers or labels naming it). */
export function customFieldLike(data: Pick<OfferData, 'fields'>, kind: 'bonus' | 'equity'): OfferField | null {
  const re = kind === 'bonus' ? /bonus/i : /equity|stock|options|rsu|shares/i;
  return (
    data.fields.find((f) => f.identifier.startsWith('custom_') && (re.test(f.identifier) || re.test(f.text ?? ''))) ??
    null
  );
}

export function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d[\d,]*(\.\d+)?\s*$/.test(v)) return Number(v.replace(/[,\s]/g, ''));
  return null;
}

/** Lever dates are epoch ms; an ISO date string (seen in custom fields) is accepted too. */
export function toDateMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}
