import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { hashInput } from '../ai/provenance.ts';
import type { AuditFn } from '../http/audit.ts';
import { defineJob, type JobContext, type JobQueue, PermanentJobError } from '../jobs/queue.ts';
import { type LeverClient, LeverNotFoundError } from '../lever/index.ts';
import type { Store } from '../store/db.ts';
import { compensationOf, customFieldLike, readOfferData } from './lever-data.ts';
import './schema.ts';

/**
 * The hand-off of a hire to the HRIS: on candidateHired, a signed JSON payload (candidate, role, start date,
 * compensation, manager), re-read from Lever, is POSTed to HRIS_WEBHOOK_URL by a durable queue job that retries with
 * backoff until the receiver answers 2xx (a 4xx other than 408/429 is final). Each attempt's outcome is an audit row;
 * hris_handoffs remembers a delivered hire, so a repeated candidateHired does not post it again.
 *
 * Signature (verify on the receiver): header `X-Fulcrum-Signature: sha256=<hex HMAC-SHA256(secret, t + "." + body)>`
 * with `X-Fulcrum-Timestamp: t` (epoch ms); `X-Fulcrum-Delivery` is the opportunity id, stable across retries.
 */

export const HRIS_HANDOFF = 'offers.hrisHandoff';
const MAX_ATTEMPTS = 12;
const TIMEOUT_MS = 10_000;

export type HrisConfig = { url: string; secret: string };

export type HrisDeps = {
  store: Store;
  lever: LeverClient;
  audit: AuditFn;
  hris: HrisConfig;
  now: () => number;
};

export const HrisHandoffJob = defineJob(HRIS_HANDOFF, z.object({ opportunityId: z.string().min(1).max(200) }));

/** Queues the hand-off of one hire; at most one unfinished job per opportunity. */
export async function queueHrisHandoff(queue: JobQueue, opportunityId: string): Promise<void> {
  await queue.enqueue({
    type: HrisHandoffJob,
    payload: { opportunityId },
    dedupeKey: `hris:${opportunityId}`,
    maxAttempts: MAX_ATTEMPTS,
  });
}

export function signHrisPayload(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What the HRIS receives, all re-read from Lever (and the approved letter, when Fulcrum filed one). */
export async function buildHrisPayload(deps: Pick<HrisDeps, 'store' | 'lever' | 'now'>, opportunityId: string) {
  const data = await readOfferData(deps.lever, opportunityId);
  const opp = data.opportunity;
  const comp = compensationOf(data);
  const bonus = customFieldLike(data, 'bonus');
  const equity = customFieldLike(data, 'equity');
  const letter = await deps.store.db
    .selectFrom('offer_letters')
    .select(['id', 'current_version', 'status'])
    .where('opportunity_id', '=', opportunityId)
    .where('status', 'in', ['approved', 'filed'])
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  const reasons = opp.archived?.reason ? await deps.lever.listArchiveReasons({ type: 'hired' }) : [];
  return {
    hired: !!opp.archived?.reason && reasons.some((r) => r.id === opp.archived?.reason),
    payload: {
      event: 'candidate.hired',
      opportunityId,
      sentAt: new Date(deps.now()).toISOString(),
      candidate: {
        name: opp.name ?? null,
        email: opp.emails?.[0] ?? null,
        contactId: typeof opp.contact === 'string' ? opp.contact : (opp.contact?.id ?? null),
      },
      role: {
        title: data.posting?.text ?? null,
        postingId: data.posting?.id ?? null,
        team: data.requisition?.team ?? data.posting?.categories?.team ?? null,
        department: data.requisition?.department ?? data.posting?.categories?.department ?? null,
        location: data.requisition?.location ?? data.posting?.categories?.location ?? null,
        requisitionCode: data.requisition?.requisitionCode ?? null,
        employmentStatus: data.requisition?.employmentStatus ?? null,
      },
      startDate: comp.startDate === null ? null : new Date(comp.startDate).toISOString().slice(0, 10),
      compensation: {
        amount: comp.amount,
        currency: comp.currency,
        interval: comp.interval,
        bonus: bonus ? { field: bonus.identifier, value: bonus.value ?? null } : null,
        equity: equity ? { field: equity.identifier, value: equity.value ?? null } : null,
      },
      manager: data.hiringManager
        ? {
            leverUserId: data.hiringManager.id,
            name: data.hiringManager.name ?? null,
            email: data.hiringManager.email ?? null,
          }
        : null,
      offerLetter: letter ? { letterId: letter.id, version: letter.current_version, status: letter.status } : null,
    },
  };
}

export async function handleHrisHandoff(
  deps: HrisDeps,
  job: z.output<typeof HrisHandoffJob.schema>,
  ctx?: JobContext,
): Promise<void> {
  const id = job.opportunityId;
  const done = await deps.store.db
    .selectFrom('hris_handoffs')
    .selectAll()
    .where('opportunity_id', '=', id)
    .executeTakeFirst();
  if (done?.status === 'delivered') return;

  let built: Awaited<ReturnType<typeof buildHrisPayload>>;
  try {
    built = await buildHrisPayload(deps, id);
  } catch (e) {
    if (e instanceof LeverNotFoundError) throw new PermanentJobError(`Lever has no opportunity ${id}`);
    throw e;
  }
  const host = new URL(deps.hris.url).host;
  const audit = (decision: string, output: Record<string, unknown>) =>
    deps.audit({
      actor: 'automation',
      opportunityId: id,
      capability: 'offer',
      action: 'hris.handoff',
      provenance: null,
      output: { host, attempt: ctx?.attempt ?? null, ...output },
      decision,
      leverIds: [id],
    });
  // Lever is the source of truth: an event for someone no longer hired (unarchived since) hands nothing off.
  if (!built.hired) {
    await audit('skipped', { reason: 'not archived with a hired reason in Lever' });
    return;
  }
  const body = JSON.stringify(built.payload);
  const t = deps.now();
  const payloadHash = hashInput(built.payload);
  const record = async (
    status: 'pending' | 'delivered' | 'failed',
    lastStatus: number | null,
    error: string | null,
  ) => {
    const row = {
      status,
      attempts: (done?.attempts ?? 0) + 1,
      last_status: lastStatus,
      last_error: error,
      payload_hash: payloadHash,
      delivered_at: status === 'delivered' ? deps.now() : null,
      updated_at: deps.now(),
    };
    await deps.store.db
      .insertInto('hris_handoffs')
      .values({ opportunity_id: id, ...row })
      .onConflict((oc) => oc.column('opportunity_id').doUpdateSet(row))
      .execute();
  };
  let res: Response;
  try {
    res = await fetch(deps.hris.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-fulcrum-timestamp': String(t),
        'x-fulcrum-signature': signHrisPayload(deps.hris.secret, t, body),
        'x-fulcrum-delivery': id,
        'user-agent': 'Fulcrum-HRIS-Handoff/1',
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
    await res.arrayBuffer().catch(() => undefined);
  } catch (e) {
    const message = `HRIS webhook unreachable: ${(e as Error).name}`;
    await record('pending', null, message);
    await audit('retry', { error: message, payloadHash });
    throw new Error(message);
  }
  if (res.ok) {
    await record('delivered', res.status, null);
    await audit('delivered', { status: res.status, payloadHash });
    return;
  }
  const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
  const message = `HRIS webhook answered ${res.status}`;
  await record(permanent ? 'failed' : 'pending', res.status, message);
  await audit(permanent ? 'failed' : 'retry', { status: res.status, payloadHash });
  if (permanent) throw new PermanentJobError(message);
  throw new Error(message);
}
