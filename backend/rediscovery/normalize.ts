import { z } from 'zod';
import { overallRating as overallRatingOf } from '../candidates/overall-rating.ts';
import type { ArchiveReason, Feedback, Note, Opportunity, Stage } from '../lever/index.ts';
import type { FeedbackStats, SyncedOpportunity } from './index-store.ts';

/**
 * Lever objects → the index's records. Reference data (stages in pipeline order, archive reasons, posting titles)
 * turns ids into what a recruiter reads and lets us rank stages.
 */

export type RefData = {
  /** In Lever's pipeline order (GET /stages answers in that order). */
  stages: Stage[];
  archiveReasons: ArchiveReason[];
  postingTitles: Map<string, string>;
};

/** Lever's dataProtection object; absent or null in accounts without GDPR settings. */
const DataProtectionSchema = z
  .looseObject({
    store: z.looseObject({ allowed: z.boolean().nullish(), expiresAt: z.number().nullish() }).nullish(),
    contact: z.looseObject({ allowed: z.boolean().nullish(), expiresAt: z.number().nullish() }).nullish(),
  })
  .nullish();

const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : v.id;

export function normalizeOpportunity(o: Opportunity, ref: RefData): SyncedOpportunity {
  const stageIndex = new Map(ref.stages.map((s, i) => [s.id, i]));
  const stageId = idOf(o.stage as string | Stage | null | undefined);
  let best = stageId !== null ? (stageIndex.get(stageId) ?? -1) : -1;
  for (const ch of o.stageChanges ?? []) {
    const i = ch.toStageId ? stageIndex.get(ch.toStageId) : undefined;
    best = Math.max(best, i ?? ch.toStageIndex ?? -1);
  }
  const reason = o.archived?.reason ? ref.archiveReasons.find((r) => r.id === o.archived?.reason) : undefined;
  const contact = typeof o.contact === 'string' ? o.contact : (o.contact?.id ?? o.id);
  const app = (o.applications ?? []).find((a) => typeof a !== 'string');
  const postingId =
    app && typeof app !== 'string' ? (typeof app.posting === 'string' ? app.posting : (app.posting?.id ?? null)) : null;
  const postingTitle =
    app && typeof app !== 'string' && app.posting && typeof app.posting !== 'string'
      ? app.posting.text
      : postingId
        ? (ref.postingTitles.get(postingId) ?? null)
        : null;
  const dp = DataProtectionSchema.safeParse(o.dataProtection);
  const protection = dp.success ? dp.data : null;
  return {
    id: o.id,
    contactId: contact,
    name: o.name ?? '',
    headline: o.headline ?? null,
    location: o.location ?? null,
    emails: o.emails ?? [],
    phones: (o.phones ?? []).map((p) => p.value).filter(Boolean),
    links: o.links ?? [],
    postingId,
    postingTitle,
    stageId,
    stageText: stageId ? (ref.stages.find((s) => s.id === stageId)?.text ?? null) : null,
    bestStageIndex: best,
    bestStageText: best >= 0 ? (ref.stages[best]?.text ?? null) : null,
    archived: o.archived?.reason
      ? {
          reasonId: o.archived.reason,
          reasonText: reason?.text ?? null,
          reasonType: reason?.type ?? null,
          archivedAt: o.archived.archivedAt ?? null,
        }
      : null,
    tags: o.tags ?? [],
    createdAt: o.createdAt ?? null,
    updatedAt: o.updatedAt ?? null,
    lastInteractionAt: o.lastInteractionAt ?? null,
    contactAllowed: protection?.contact?.allowed ?? null,
    storeExpiresAt: protection?.store?.expiresAt ?? null,
    confidential: o.confidentiality === 'confidential',
    feedback: null,
    notes: [],
  };
}

/**
 * The overall rating of a feedback form on Lever's 1–4 scale: its score-system field, or a field flagged
 * `overall: true` (recorded live data), whose value is the option text ("3 - Hire").
 */
export function overallRating(f: Feedback): number | null {
  return overallRatingOf(f.fields)?.value ?? null;
}

export function feedbackStats(forms: Feedback[]): FeedbackStats {
  const ratings = forms.map(overallRating).filter((n): n is number => n !== null);
  const sum = ratings.reduce((a, b) => a + b, 0);
  return {
    count: forms.length,
    average: ratings.length ? Math.round((sum / ratings.length) * 100) / 100 : null,
    positive: ratings.filter((n) => n >= 3).length,
    negative: ratings.filter((n) => n <= 2).length,
  };
}

export function noteTexts(notes: Note[]): string[] {
  return notes
    .map((n) => (n.fields ?? []).map((f) => f.value ?? '').join('\n') || n.text || '')
    .map((t) => t.trim())
    .filter(Boolean);
}
