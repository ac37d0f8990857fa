import { signLeverWebhook } from '../lever/webhook-signature.ts';
import type { EmuWebhook } from './model.ts';
import { newId, newToken } from './store.ts';

/**
 * Delivers webhooks the way Lever does (docs/lever-api.md §7): POST a JSON body carrying `token`, `triggeredAt` and
 * `signature` (HMAC over token + triggeredAt with the webhook's signature token); any non-2xx answer, 3xx included,
 * is retried up to five times with growing gaps. Every retry resends the same body, so receivers can dedupe on id.
 */
export const LEVER_LIKE_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 8 * 3_600_000];

export type DeliveryAttempt = {
  deliveryId: string;
  webhookId: string;
  event: string;
  url: string;
  attempt: number;
  status: number;
  error: string | null;
  at: number;
};

const LOG_LIMIT = 1000;

export class WebhookDispatcher {
  readonly log: DeliveryAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly webhooks: () => Iterable<EmuWebhook>,
    private readonly retryDelaysMs: readonly number[] = LEVER_LIKE_RETRY_DELAYS_MS,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Fires `event` to every webhook subscribed to it whose origin condition (if any) matches. */
  emit(event: string, data: Record<string, unknown>, origin?: string): void {
    for (const w of this.webhooks()) {
      if (w.event !== event) continue;
      if (w.origins && origin && !w.origins.includes(origin)) continue;
      const token = newToken();
      const triggeredAt = Date.now();
      const body = JSON.stringify({
        id: newId(),
        event,
        triggeredAt,
        token,
        signature: signLeverWebhook(token, triggeredAt, w.signatureToken),
        data,
      });
      void this.attempt(w, event, body, newId(), 0);
    }
  }

  private async attempt(w: EmuWebhook, event: string, body: string, deliveryId: string, attempt: number) {
    if (this.closed) return;
    let status = 0;
    let error: string | null = null;
    try {
      const res = await fetch(w.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Lever-Webhooks' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    this.log.push({ deliveryId, webhookId: w.id, event, url: w.url, attempt, status, error, at: Date.now() });
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    const ok = status >= 200 && status < 300;
    const delay = this.retryDelaysMs[attempt];
    if (ok || delay === undefined || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(w, event, body, deliveryId, attempt + 1);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.log.length = 0;
  }

  close(): void {
    this.closed = true;
    this.clear();
  }
}
