import { parseArgs } from 'node:util';
import { type PolicyPatch, PolicyPatchSchema, type PolicyScope } from '../../utils/contracts/automations.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { getPolicy, setPolicy } from '../automations/policy.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = `Usage:
  policy get [--posting ID | --team NAME]
  policy set [--posting ID | --team NAME] [--threshold 75] [--auto-write-match-summary true|false]
             [--score-on-application true|false] [--interview-questions true|false]
             [--feedback-synthesis true|false] [--follow-ups true|false] [--feedback-poll-minutes 10]
             [--interview-stages "Phone screen,On-site interview"] [--debrief-stages "Debrief,Offer"]
             [--schedule-interviews true|false] [--scheduling-panel LEVER_USER_ID,...]
             [--scheduling-duration 60] [--scheduling-window-days 10]
Without --posting/--team, "set" edits the global default.`;

const flags = {
  posting: { type: 'string' },
  team: { type: 'string' },
  threshold: { type: 'string' },
  'auto-write-match-summary': { type: 'string' },
  'score-on-application': { type: 'string' },
  'interview-questions': { type: 'string' },
  'feedback-synthesis': { type: 'string' },
  'follow-ups': { type: 'string' },
  'feedback-poll-minutes': { type: 'string' },
  'interview-stages': { type: 'string' },
  'debrief-stages': { type: 'string' },
  'schedule-interviews': { type: 'string' },
  'scheduling-panel': { type: 'string' },
  'scheduling-duration': { type: 'string' },
  'scheduling-window-days': { type: 'string' },
} as const;

function bool(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new Error(`--${name} must be true or false, got "${v}"`);
}

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** `policy get|set`: the automation policy (admin settings), same store and rules as GET/PUT /api/admin/policy. */
export const policyCommand: CliCommand = {
  summary: 'policy get [--posting ID] | policy set --posting ID --threshold 75 ...: automation policy',
  async run(args) {
    const { positionals, values } = parseArgs({ args, options: flags, allowPositionals: true });
    const [sub] = positionals;
    if (values.posting && values.team) throw new Error('Pass --posting or --team, not both.');
    const target = {
      ...(values.posting ? { postingId: values.posting } : {}),
      ...(values.team ? { team: values.team } : {}),
    };
    if (sub === 'get') {
      await withCliStore(async (store) => print(await getPolicy(store, target)));
      return 0;
    }
    if (sub !== 'set') throw new Error(usage);
    const raw = {
      threshold: values.threshold === undefined ? undefined : Number(values.threshold),
      autoWriteMatchSummary: bool('auto-write-match-summary', values['auto-write-match-summary']),
      scoreOnApplication: bool('score-on-application', values['score-on-application']),
      interviewQuestions: bool('interview-questions', values['interview-questions']),
      feedbackSynthesis: bool('feedback-synthesis', values['feedback-synthesis']),
      followUps: bool('follow-ups', values['follow-ups']),
      feedbackPollMinutes:
        values['feedback-poll-minutes'] === undefined ? undefined : Number(values['feedback-poll-minutes']),
      interviewStages: list(values['interview-stages']),
      debriefStages: list(values['debrief-stages']),
      scheduleInterviews: bool('schedule-interviews', values['schedule-interviews']),
      schedulingPanel: list(values['scheduling-panel']),
      schedulingDurationMin:
        values['scheduling-duration'] === undefined ? undefined : Number(values['scheduling-duration']),
      schedulingWindowDays:
        values['scheduling-window-days'] === undefined ? undefined : Number(values['scheduling-window-days']),
    };
    const patch: PolicyPatch = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
    if (Object.keys(patch).length === 0) throw new Error(`Nothing to set.\n${usage}`);
    const parsed = PolicyPatchSchema.safeParse(patch);
    if (!parsed.success) {
      throw new Error(
        `Invalid policy: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const scope: PolicyScope = values.posting
      ? { level: 'posting', postingId: values.posting }
      : values.team
        ? { level: 'team', team: values.team }
        : { level: 'global' };
    await withCliStore(async (store) => {
      await setPolicy(store, scope, parsed.data, 'cli');
      await appendAudit(store.db, {
        actor: 'cli',
        capability: 'automation',
        action: 'policy.set',
        output: { scope, settings: parsed.data },
        leverIds: [],
      });
      print(await getPolicy(store, target));
    });
    return 0;
  },
};

function print(p: Awaited<ReturnType<typeof getPolicy>>): void {
  console.log('Effective policy:');
  for (const [k, v] of Object.entries(p.effective)) console.log(`  ${k.padEnd(22)} ${JSON.stringify(v)}`);
  if (p.layers.length === 0) console.log('(all defaults)');
  for (const l of p.layers) console.log(`  set at ${l.scope}: ${JSON.stringify(l.settings)}`);
}
