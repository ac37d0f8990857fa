import { z } from 'zod';
import {
  type PolicyPatch,
  PolicyPatchSchema,
  type PolicyResponse,
  type PolicyScope,
  type PolicySettings,
} from '../../utils/contracts/automations.ts';
import type { Store } from '../store/db.ts';

/**
 * Automation policy, stored in the settings table as one JSON patch per scope (global, team, posting). The effective
 * policy for a posting is DEFAULTS ⊕ global ⊕ team ⊕ posting, later layers winning field by field. Only admins edit
 * it (HTTP: requireRole('admin'); CLI: operator on the box). The default writes nothing to Lever without a click.
 */

export const DEFAULT_POLICY: PolicySettings = {
  scoreOnApplication: true,
  interviewQuestions: true,
  feedbackSynthesis: true,
  followUps: true,
  threshold: 70,
  interviewStages: [],
  debriefStages: [],
  feedbackPollMinutes: 10,
  autoWriteMatchSummary: false,
  scheduleInterviews: false,
  schedulingPanel: [],
  schedulingDurationMin: 60,
  schedulingWindowDays: 10,
};

export const DEFAULT_INTERVIEW_STAGE = /screen|interview|on-?site/i;
export const DEFAULT_DEBRIEF_STAGE = /debrief|reference|offer|decision/i;

const KEY_PREFIX = 'automations.policy:';

export function scopeKey(scope: PolicyScope): string {
  if (scope.level === 'global') return `${KEY_PREFIX}global`;
  if (scope.level === 'team') return `${KEY_PREFIX}team:${scope.team}`;
  return `${KEY_PREFIX}posting:${scope.postingId}`;
}

async function readLayer(store: Store, key: string): Promise<PolicyPatch | null> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  // A layer written by an older version that no longer parses is ignored rather than breaking every automation.
  const parsed = PolicyPatchSchema.safeParse(safeJson(row.value));
  return parsed.success ? parsed.data : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The effective policy for a posting (or the global one) and the layers it came from. */
export async function getPolicy(
  store: Store,
  target: { postingId?: string | null; team?: string | null } = {},
): Promise<PolicyResponse> {
  const scopes: PolicyScope[] = [{ level: 'global' }];
  if (target.team) scopes.push({ level: 'team', team: target.team });
  if (target.postingId) scopes.push({ level: 'posting', postingId: target.postingId });
  let effective: PolicySettings = { ...DEFAULT_POLICY };
  const layers: PolicyResponse['layers'] = [];
  for (const scope of scopes) {
    const key = scopeKey(scope);
    const layer = await readLayer(store, key);
    if (!layer) continue;
    effective = { ...effective, ...stripUndefined(layer) };
    layers.push({ scope: key.slice(KEY_PREFIX.length), settings: layer });
  }
  return { effective, layers };
}

export async function effectivePolicy(
  store: Store,
  target: { postingId?: string | null; team?: string | null },
): Promise<PolicySettings> {
  return (await getPolicy(store, target)).effective;
}

/** Merges `patch` into the scope's stored layer. Throws ZodError for an invalid patch. */
export async function setPolicy(
  store: Store,
  scope: PolicyScope,
  patch: PolicyPatch,
  by: string,
  now = Date.now(),
): Promise<PolicyPatch> {
  const valid = PolicyPatchSchema.parse(patch);
  const key = scopeKey(scope);
  const merged = { ...((await readLayer(store, key)) ?? {}), ...stripUndefined(valid) };
  const value = JSON.stringify(merged);
  await store.db
    .insertInto('settings')
    .values({ key, value, updated_at: now, updated_by: by })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: by }))
    .execute();
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type StageClass = 'interview' | 'debrief' | null;

/** Classifies a stage by the policy's lists (ids or names, case-insensitive), else by the default patterns. */
export function classifyStage(policy: PolicySettings, stage: { id: string; text: string }): StageClass {
  const matches = (list: string[]) => list.some((s) => s === stage.id || s.toLowerCase() === stage.text.toLowerCase());
  // Debrief first: "Offer decision" must not count as an interview because it also says "screen" somewhere.
  if (policy.debriefStages.length ? matches(policy.debriefStages) : DEFAULT_DEBRIEF_STAGE.test(stage.text)) {
    return 'debrief';
  }
  if (policy.interviewStages.length ? matches(policy.interviewStages) : DEFAULT_INTERVIEW_STAGE.test(stage.text)) {
    return 'interview';
  }
  return null;
}

export const PolicyTargetSchema = z.object({
  postingId: z.string().min(1).max(200).optional(),
  team: z.string().min(1).max(200).optional(),
});
