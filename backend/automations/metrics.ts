import type { Provenance } from '../../utils/contracts/ai.ts';
import type { QueueStats } from '../jobs/queue.ts';
import type { LeverStats } from '../lever/index.ts';
import type { Store } from '../store/db.ts';

/**
 * In-process counters for GET /metrics, exposed in Prometheus text format (hand-written exposition, no client
 * library). One registry per store, so the HTTP app and the job handlers of a backend share it without new wiring.
 * Counters reset when the process restarts, as Prometheus expects of counters.
 */

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

class Histogram {
  readonly counts = new Map<string, { buckets: number[]; sum: number; count: number }>();
  observe(labels: string, seconds: number): void {
    let h = this.counts.get(labels);
    if (!h) {
      h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.counts.set(labels, h);
    }
    for (const [i, le] of BUCKETS.entries()) if (seconds <= le) h.buckets[i] = (h.buckets[i] ?? 0) + 1;
    h.sum += seconds;
    h.count++;
  }
  render(name: string, help: string): string[] {
    const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    for (const [labels, h] of this.counts) {
      const sep = labels ? `${labels},` : '';
      for (const [i, le] of BUCKETS.entries()) out.push(`${name}_bucket{${sep}le="${le}"} ${h.buckets[i] ?? 0}`);
      out.push(`${name}_bucket{${sep}le="+Inf"} ${h.count}`);
      out.push(`${name}_sum${labels ? `{${labels}}` : ''} ${round(h.sum)}`);
      out.push(`${name}_count${labels ? `{${labels}}` : ''} ${h.count}`);
    }
    return out;
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const label = (pairs: Record<string, string>) =>
  Object.entries(pairs)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',');

export class AutomationMetrics {
  private readonly jobSeconds = new Histogram();
  private readonly webhookToProposal = new Histogram();
  private readonly webhooks = new Map<string, number>();
  private readonly proposals = new Map<string, number>();
  private readonly llmTokens = new Map<string, number>();

  job(type: string, outcome: 'done' | 'failed', seconds: number): void {
    this.jobSeconds.observe(label({ type, outcome }), seconds);
  }

  /** Time from the webhook reaching Fulcrum to the first proposal it caused. */
  eventToProposal(event: string, seconds: number): void {
    this.webhookToProposal.observe(label({ event }), seconds);
  }

  webhook(event: string, outcome: string): void {
    const k = label({ event, outcome });
    this.webhooks.set(k, (this.webhooks.get(k) ?? 0) + 1);
  }

  proposal(kind: string, outcome: string): void {
    const k = label({ kind, outcome });
    this.proposals.set(k, (this.proposals.get(k) ?? 0) + 1);
  }

  /** Tokens from provenance.usage (LLM providers report it; the local engine uses none). */
  tokens(capability: string, p: Provenance): void {
    if (!p.usage) return;
    for (const [type, n] of [
      ['prompt', p.usage.promptTokens],
      ['completion', p.usage.completionTokens],
    ] as const) {
      const k = label({ capability, model: p.model, type });
      this.llmTokens.set(k, (this.llmTokens.get(k) ?? 0) + n);
    }
  }

  render(q: QueueStats, lever: Readonly<LeverStats>): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, m: Map<string, number>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [k, v] of m) lines.push(`${name}{${k}} ${v}`);
    };
    lines.push('# HELP fulcrum_jobs Jobs in the durable queue by status.', '# TYPE fulcrum_jobs gauge');
    for (const s of ['queued', 'running', 'retrying', 'dead', 'done'] as const) {
      lines.push(`fulcrum_jobs{status="${s}"} ${q[s]}`);
    }
    lines.push(
      '# HELP fulcrum_jobs_oldest_due_seconds Age of the oldest job that is due and not yet claimed.',
      '# TYPE fulcrum_jobs_oldest_due_seconds gauge',
      `fulcrum_jobs_oldest_due_seconds ${q.oldestDueAt === null ? 0 : round(Math.max(0, Date.now() - q.oldestDueAt) / 1000)}`,
    );
    lines.push(...this.jobSeconds.render('fulcrum_job_duration_seconds', 'Handler run time by job type and outcome.'));
    lines.push(
      ...this.webhookToProposal.render(
        'fulcrum_webhook_to_proposal_seconds',
        'Time from webhook receipt to the first proposal it produced.',
      ),
    );
    counter('fulcrum_webhooks_total', 'Webhook deliveries by event and outcome.', this.webhooks);
    counter('fulcrum_automation_proposals_total', 'Proposals created or refreshed by automations.', this.proposals);
    counter('fulcrum_llm_tokens_total', 'LLM tokens used, from provenance.usage.', this.llmTokens);
    lines.push(
      '# HELP fulcrum_lever_requests_total Requests sent to the Lever API by this process (retries included).',
      '# TYPE fulcrum_lever_requests_total counter',
      `fulcrum_lever_requests_total ${lever.requests}`,
      '# HELP fulcrum_lever_rate_limited_total 429 answers from Lever.',
      '# TYPE fulcrum_lever_rate_limited_total counter',
      `fulcrum_lever_rate_limited_total ${lever.rateLimited}`,
      '# HELP fulcrum_lever_retries_total Lever requests retried.',
      '# TYPE fulcrum_lever_retries_total counter',
      `fulcrum_lever_retries_total ${lever.retries}`,
      '# HELP fulcrum_lever_errors_total Lever calls that failed after retries.',
      '# TYPE fulcrum_lever_errors_total counter',
      `fulcrum_lever_errors_total ${lever.errors}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

const registries = new WeakMap<object, AutomationMetrics>();

/**
 * The registry of the backend that owns this store (one per process and database), keyed by the store's Kysely
 * instance, so it works on either engine and never touches the raw SQLite connection.
 */
export function metricsFor(store: Pick<Store, 'db'>): AutomationMetrics {
  let m = registries.get(store.db);
  if (!m) {
    m = new AutomationMetrics();
    registries.set(store.db, m);
  }
  return m;
}
