import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Provenance, ProvenanceSchema } from '../../utils/contracts/ai.ts';
import {
  type ChainStep,
  ChainStepSchema,
  type OfferChain,
  type OfferCheckWire,
  type OfferView,
  OfferViewSchema,
} from '../../utils/contracts/offers.ts';
import type { AuditFn } from '../http/audit.ts';
import type { Principal } from '../http/auth.ts';
import { badRequest, conflict, forbidden, HttpError, notFound } from '../http/errors.ts';
import { type LeverClient, LeverNotFoundError } from '../lever/index.ts';
import type { ProposalService } from '../proposals/service.ts';
import type { Store } from '../store/db.ts';
import { CHECK_NAMES, type OfferCheck } from './checks.ts';
import { diffLines } from './diff.ts';
import { draftLetter, recheck } from './draft-letter.ts';
import { holidayDays } from './holidays.ts';
import { type LetterFields, letterFields } from './letter-fields.ts';
import { type OfferData, readOfferData, userId } from './lever-data.ts';
import type { ParagraphWriter } from './paragraphs.ts';
import type { OfferLetterStatus } from './schema.ts';
import { parseTemplate } from './template.ts';
import { DEFAULT_TEMPLATE_ID, type OfferTemplates } from './templates-repo.ts';

/**
 * Offer letters from draft to filing. A letter belongs to one opportunity and keeps every version. Each version is
 * checked against a fresh read of Lever (checks.ts); while any check fails without an admin's override, nobody can
 * approve. Approval walks the chain configured for the requisition's team (or '*'): one step at a time, each step by
 * someone its approvers name, no one approving two steps of one version. A new version restarts the chain. When the
 * last step approves, a proposal of kind 'offer-letter' is created: approving it (the review sheet, like every write)
 * renders the PDF and files it on the opportunity in Lever. Every step is audited.
 */

export const DEFAULT_CHAIN: ChainStep[] = [
  { name: 'Recruiter', approvers: ['owner'] },
  { name: 'Hiring manager', approvers: ['hiring-manager'] },
  { name: 'Finance', approvers: ['admin'] },
];

const FieldsSchema = z.record(z.string(), z.object({ value: z.string(), source: z.string() }));
const ChecksSchema = z.array(z.object({ name: z.enum(CHECK_NAMES), ok: z.boolean(), detail: z.string() }));
const StepsSchema = z.array(ChainStepSchema).min(1);

export type OfferServiceDeps = {
  store: Store;
  lever: LeverClient;
  writer: ParagraphWriter;
  templates: OfferTemplates;
  audit: AuditFn;
  proposals: ProposalService;
  now: () => number;
  /** OFFER_HOLIDAYS; the admins' days are read from the store at each check (holidays.ts). */
  holidays: readonly string[];
};

type LetterRow = {
  id: string;
  opportunity_id: string;
  team: string | null;
  template_id: string | null;
  template_source: string;
  chain: string;
  status: OfferLetterStatus;
  current_version: number;
  proposal_id: string | null;
};

export class OfferService {
  constructor(private readonly d: OfferServiceDeps) {}

  // ------------------------------------------------------------ chains

  async chains(): Promise<OfferChain[]> {
    const rows = await this.d.store.db.selectFrom('offer_chains').selectAll().orderBy('team').execute();
    const out = rows.map((r) => ({ team: r.team, steps: StepsSchema.parse(JSON.parse(r.steps)) }));
    if (!out.some((c) => c.team === '*')) out.unshift({ team: '*', steps: DEFAULT_CHAIN });
    return out;
  }

  async setChain(actor: Principal, team: string, steps: ChainStep[]): Promise<OfferChain> {
    const t = this.d.now();
    await this.d.store.db
      .insertInto('offer_chains')
      .values({ team, steps: JSON.stringify(steps), updated_by: actor.email, updated_at: t })
      .onConflict((oc) =>
        oc.column('team').doUpdateSet({ steps: JSON.stringify(steps), updated_by: actor.email, updated_at: t }),
      )
      .execute();
    await this.d.audit({
      actor: actor.email,
      opportunityId: null,
      capability: 'offer',
      action: 'offer.chain.set',
      provenance: null,
      output: { team, steps },
      decision: 'configured',
      leverIds: [],
    });
    return { team, steps };
  }

  private async chainFor(team: string | null): Promise<ChainStep[]> {
    const rows = await this.d.store.db
      .selectFrom('offer_chains')
      .selectAll()
      .where('team', 'in', team ? [team, '*'] : ['*'])
      .execute();
    const own = rows.find((r) => r.team === team) ?? rows.find((r) => r.team === '*');
    return own ? StepsSchema.parse(JSON.parse(own.steps)) : DEFAULT_CHAIN;
  }

  // ------------------------------------------------------------ reads

  private async letterRow(id: string): Promise<LetterRow> {
    const r = await this.d.store.db.selectFrom('offer_letters').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound(`No offer letter with id "${id}".`);
    return r;
  }

  /** The opportunity a letter is about (for the access rule), or null when there is no such letter. */
  async opportunityOf(letterId: string): Promise<string | null> {
    const r = await this.d.store.db
      .selectFrom('offer_letters')
      .select('opportunity_id')
      .where('id', '=', letterId)
      .executeTakeFirst();
    return r?.opportunity_id ?? null;
  }

  async latestFor(opportunityId: string, viewer: Principal): Promise<OfferView | null> {
    const r = await this.d.store.db
      .selectFrom('offer_letters')
      .select('id')
      .where('opportunity_id', '=', opportunityId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return r ? this.view(r.id, viewer) : null;
  }

  private async read(opportunityId: string): Promise<OfferData> {
    try {
      return await readOfferData(this.d.lever, opportunityId);
    } catch (e) {
      if (e instanceof LeverNotFoundError) throw notFound(`Lever has no opportunity "${opportunityId}".`);
      throw e;
    }
  }

  // ------------------------------------------------------------ draft and revise

  async draft(
    actor: Principal,
    input: { opportunityId: string; templateId?: string | undefined; justification?: string | undefined },
  ): Promise<OfferView> {
    const data = await this.read(input.opportunityId);
    if (!data.offer) {
      throw conflict('Lever has no offer for this candidate yet: create the offer in Lever, then draft the letter.');
    }
    const stored = await this.d.templates.get(input.templateId ?? DEFAULT_TEMPLATE_ID);
    if (!stored) throw notFound(`No offer template with id "${input.templateId}".`);
    const drafted = await draftLetter(data, stored.template, this.d.writer, await this.opts(input.justification));
    const open = await this.d.store.db
      .selectFrom('offer_letters')
      .selectAll()
      .where('opportunity_id', '=', input.opportunityId)
      .where('status', '!=', 'filed')
      .executeTakeFirst();
    const t = this.d.now();
    let letterId: string;
    let version: number;
    if (open) {
      letterId = open.id;
      version = open.current_version + 1;
      await this.d.store.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('offer_letters')
          .set({
            template_id: stored.id,
            template_source: stored.source,
            current_version: version,
            status: 'in-approval',
            updated_at: t,
          })
          .where('id', '=', letterId)
          .execute();
        await trx
          .insertInto('offer_letter_versions')
          .values(this.versionRow(letterId, version, drafted, input.justification, actor, t))
          .execute();
      });
    } else {
      letterId = randomUUID();
      version = 1;
      const team = data.requisition?.team ?? data.posting?.categories?.team ?? null;
      const chain = await this.chainFor(team);
      await this.d.store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('offer_letters')
          .values({
            id: letterId,
            opportunity_id: input.opportunityId,
            team,
            template_id: stored.id,
            template_source: stored.source,
            chain: JSON.stringify(chain),
            status: 'in-approval',
            current_version: 1,
            proposal_id: null,
            created_by: actor.email,
            created_at: t,
            updated_at: t,
          })
          .execute();
        await trx
          .insertInto('offer_letter_versions')
          .values(this.versionRow(letterId, 1, drafted, input.justification, actor, t))
          .execute();
      });
    }
    await this.auditStep(actor, input.opportunityId, 'offer.draft', drafted.provenance, {
      letterId,
      version,
      template: stored.name,
      failedChecks: drafted.checks.filter((c) => !c.ok).map((c) => c.name),
    });
    return this.view(letterId, actor, data);
  }

  private versionRow(
    letterId: string,
    version: number,
    v: { letter: string; fields: LetterFields; checks: OfferCheck[]; provenance: Provenance | null },
    justification: string | undefined,
    actor: Principal,
    t: number,
  ) {
    return {
      letter_id: letterId,
      version,
      text: v.letter,
      fields: JSON.stringify(v.fields),
      checks: JSON.stringify(v.checks),
      justification: justification ?? null,
      provenance: v.provenance ? JSON.stringify(v.provenance) : null,
      created_by: actor.email,
      created_at: t,
    };
  }

  /** A recruiter's edit: a new version with the given text, checked against a fresh read of Lever. */
  async revise(actor: Principal, letterId: string, input: { text: string; justification?: string | undefined }) {
    const letter = await this.letterRow(letterId);
    if (letter.status === 'filed') throw conflict('This letter is already filed in Lever; draft a new one instead.');
    const data = await this.read(letter.opportunity_id);
    const template = parseTemplate(letter.template_source);
    const prev = await this.version(letterId, letter.current_version);
    const justification = input.justification ?? prev.justification ?? undefined;
    const fields = FieldsSchema.parse(JSON.parse(prev.fields));
    // Lever's values as they are now; digit-bearing text values the earlier version had stay recognised.
    const freshFields = { ...fields, ...letterFields(data) };
    const checks = recheck(data, template, input.text, freshFields, await this.opts(justification));
    const version = letter.current_version + 1;
    const t = this.d.now();
    await this.d.store.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('offer_letters')
        .set({ current_version: version, status: 'in-approval', updated_at: t })
        .where('id', '=', letterId)
        .where('current_version', '=', letter.current_version)
        .execute();
      await trx
        .insertInto('offer_letter_versions')
        .values(
          this.versionRow(
            letterId,
            version,
            { letter: input.text, fields: freshFields, checks, provenance: null },
            justification,
            actor,
            t,
          ),
        )
        .execute();
    });
    await this.auditStep(actor, letter.opportunity_id, 'offer.revise', null, {
      letterId,
      version,
      failedChecks: checks.filter((c) => !c.ok).map((c) => c.name),
    });
    return this.view(letterId, actor, data);
  }

  private async opts(justification: string | null | undefined) {
    return {
      now: new Date(this.d.now()),
      holidays: await holidayDays(this.d.store.db, this.d.holidays),
      justification: justification ?? null,
    };
  }

  private async version(letterId: string, version: number) {
    const v = await this.d.store.db
      .selectFrom('offer_letter_versions')
      .selectAll()
      .where('letter_id', '=', letterId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!v) throw notFound(`Offer letter ${letterId} has no version ${version}.`);
    return v;
  }

  // ------------------------------------------------------------ overrides and approval

  async override(actor: Principal, letterId: string, input: { check: string; reason: string }): Promise<OfferView> {
    if (actor.role !== 'admin') throw forbidden('Only Fulcrum admins can override a failed offer check.');
    const letter = await this.letterRow(letterId);
    const v = await this.version(letterId, letter.current_version);
    const checks = ChecksSchema.parse(JSON.parse(v.checks));
    const check = checks.find((c) => c.name === input.check);
    if (!check)
      throw badRequest(
        `"${input.check}" is not one of this letter's checks (${checks.map((c) => c.name).join(', ')}).`,
      );
    if (check.ok) throw conflict(`The check "${input.check}" passes; there is nothing to override.`);
    await this.d.store.db
      .insertInto('offer_overrides')
      .values({
        letter_id: letterId,
        version: letter.current_version,
        check_name: input.check,
        reason: input.reason,
        actor: actor.email,
        at: this.d.now(),
      })
      .onConflict((oc) =>
        oc
          .columns(['letter_id', 'version', 'check_name'])
          .doUpdateSet({ reason: input.reason, actor: actor.email, at: this.d.now() }),
      )
      .execute();
    await this.auditStep(actor, letter.opportunity_id, 'offer.override', null, {
      letterId,
      version: letter.current_version,
      check: input.check,
      detail: check.detail,
      reason: input.reason,
    });
    return this.view(letterId, actor);
  }

  async approve(actor: Principal, letterId: string, input: { version: number; comment?: string | undefined }) {
    const letter = await this.letterRow(letterId);
    if (letter.status !== 'in-approval') throw conflict(`This letter is already ${letter.status}.`);
    if (input.version !== letter.current_version) {
      throw conflict(
        `Version ${input.version} is not the current one (${letter.current_version}): read the new version first.`,
      );
    }
    // Checks again against Lever as it is now: an offer changed in Lever since the draft must not slip through.
    const data = await this.read(letter.opportunity_id);
    const v = await this.version(letterId, letter.current_version);
    const template = parseTemplate(letter.template_source);
    const checks = recheck(
      data,
      template,
      v.text,
      FieldsSchema.parse(JSON.parse(v.fields)),
      await this.opts(v.justification),
    );
    if (JSON.stringify(checks) !== v.checks) {
      await this.d.store.db
        .updateTable('offer_letter_versions')
        .set({ checks: JSON.stringify(checks) })
        .where('letter_id', '=', letterId)
        .where('version', '=', v.version)
        .execute();
    }
    const overrides = await this.overrides(letterId, v.version);
    const blocking = checks.filter((c) => !c.ok && !overrides.has(c.name));
    if (blocking.length) {
      throw new HttpError(
        409,
        'offer_checks_failed',
        `Approval is blocked by ${blocking.length} failed check(s): ${blocking.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
      );
    }
    const chain = StepsSchema.parse(JSON.parse(letter.chain));
    const decisions = await this.decisions(letterId, v.version);
    const step = decisions.length;
    if (step >= chain.length) throw conflict('Every step of this letter is already approved.');
    if (decisions.some((d) => d.actor === actor.email)) {
      throw forbidden('You already approved a step of this version; the next step needs someone else.');
    }
    const spec = chain[step] as ChainStep;
    if (!mayActOn(spec, actor, data)) {
      throw forbidden(`The "${spec.name}" step is for ${describeApprovers(spec)}.`);
    }
    try {
      await this.d.store.db
        .insertInto('offer_decisions')
        .values({
          letter_id: letterId,
          version: v.version,
          step,
          actor: actor.email,
          decision: 'approve',
          comment: input.comment ?? null,
          at: this.d.now(),
        })
        .execute();
    } catch (e) {
      if (/UNIQUE/i.test(String(e)))
        throw conflict(`The "${spec.name}" step was approved a moment ago by someone else.`);
      throw e;
    }
    await this.auditStep(actor, letter.opportunity_id, 'offer.approve', null, {
      letterId,
      version: v.version,
      step: spec.name,
      comment: input.comment ?? null,
      overridden: [...overrides.keys()],
    });
    if (step === chain.length - 1) await this.finish(actor, letter, v.version, data);
    return this.view(letterId, actor, data);
  }

  /** The last step approved: the letter is final, and a proposal to file it in Lever waits for the review sheet. */
  private async finish(actor: Principal, letter: LetterRow, version: number, data: OfferData): Promise<void> {
    const name = letterFileName(data, version);
    const proposal = await this.d.proposals.create(actor, {
      opportunityId: letter.opportunity_id,
      kind: 'offer-letter',
      payload: { file: { offerLetterId: letter.id, version, name } },
      reason: `Offer letter version ${version} approved by every step of the chain; file it on the candidate in Lever as ${name}.`,
      sourceCapability: 'offer',
    });
    await this.d.store.db
      .updateTable('offer_letters')
      .set({ status: 'approved', proposal_id: proposal.id, updated_at: this.d.now() })
      .where('id', '=', letter.id)
      .execute();
  }

  private async overrides(letterId: string, version: number) {
    const rows = await this.d.store.db
      .selectFrom('offer_overrides')
      .selectAll()
      .where('letter_id', '=', letterId)
      .where('version', '=', version)
      .execute();
    return new Map(rows.map((r) => [r.check_name, r]));
  }

  private decisions(letterId: string, version: number) {
    return this.d.store.db
      .selectFrom('offer_decisions')
      .selectAll()
      .where('letter_id', '=', letterId)
      .where('version', '=', version)
      .where('decision', '=', 'approve')
      .orderBy('step')
      .execute();
  }

  // ------------------------------------------------------------ the view

  async view(letterId: string, viewer: Principal, fresh?: OfferData): Promise<OfferView> {
    const letter = await this.letterRow(letterId);
    const v = await this.version(letterId, letter.current_version);
    const data = fresh ?? (await this.read(letter.opportunity_id));
    const checks = ChecksSchema.parse(JSON.parse(v.checks));
    const overrides = await this.overrides(letterId, v.version);
    const chain = StepsSchema.parse(JSON.parse(letter.chain));
    const decisions = await this.decisions(letterId, v.version);
    const versions = await this.d.store.db
      .selectFrom('offer_letter_versions')
      .select(['version', 'created_by', 'created_at', 'text'])
      .where('letter_id', '=', letterId)
      .orderBy('version')
      .execute();
    // The diff an approver reads: from the newest version anyone approved a step of, else the previous version.
    const lastApproved = await this.d.store.db
      .selectFrom('offer_decisions')
      .select('version')
      .where('letter_id', '=', letterId)
      .where('version', '<', v.version)
      .where('decision', '=', 'approve')
      .orderBy('version', 'desc')
      .executeTakeFirst();
    const fromVersion = lastApproved?.version ?? (v.version > 1 ? v.version - 1 : null);
    const base = fromVersion === null ? null : versions.find((x) => x.version === fromVersion)?.text;
    const wireChecks: OfferCheckWire[] = checks.map((c) => {
      const o = overrides.get(c.name);
      return { ...c, override: o ? { reason: o.reason, actor: o.actor, at: new Date(o.at).toISOString() } : null };
    });
    const blocked = wireChecks.some((c) => !c.ok && !c.override);
    const step = decisions.length;
    const next = letter.status === 'in-approval' ? chain[step] : undefined;
    let approveHint: string | null = null;
    if (!next)
      approveHint = letter.status === 'in-approval' ? 'Every step is approved.' : `This letter is ${letter.status}.`;
    else if (blocked) approveHint = 'Failed checks block approval until they are resolved or overridden by an admin.';
    else if (decisions.some((d) => d.actor === viewer.email))
      approveHint = 'You already approved a step of this version.';
    else if (!mayActOn(next, viewer, data)) approveHint = `The "${next.name}" step is for ${describeApprovers(next)}.`;
    const proposal = letter.proposal_id ? await this.d.proposals.mustGet(letter.proposal_id).catch(() => null) : null;
    const provenance = v.provenance ? ProvenanceSchema.safeParse(JSON.parse(v.provenance)) : null;
    return OfferViewSchema.parse({
      letterId,
      opportunityId: letter.opportunity_id,
      status: letter.status,
      team: letter.team,
      templateName: parseTemplate(letter.template_source).name,
      version: v.version,
      text: v.text,
      fields: FieldsSchema.parse(JSON.parse(v.fields)),
      checks: wireChecks,
      blocked,
      justification: v.justification,
      chain: chain.map((s, i) => {
        const d = decisions.find((x) => x.step === i);
        return {
          name: s.name,
          approvers: s.approvers,
          state: d ? 'approved' : i === step && letter.status === 'in-approval' ? 'next' : 'waiting',
          decidedBy: d?.actor ?? null,
          decidedAt: d ? new Date(d.at).toISOString() : null,
        };
      }),
      canApprove: approveHint === null,
      approveHint,
      canOverride: viewer.role === 'admin' && wireChecks.some((c) => !c.ok && !c.override),
      diff: { fromVersion, lines: base === undefined || base === null ? [] : diffLines(base, v.text) },
      versions: versions.map((x) => ({
        version: x.version,
        createdBy: x.created_by,
        createdAt: new Date(x.created_at).toISOString(),
      })),
      proposal: proposal ? { id: proposal.id, status: proposal.status } : null,
      provenance: provenance?.success ? provenance.data : null,
    });
  }

  private auditStep(
    actor: Principal,
    opportunityId: string,
    action: string,
    provenance: Provenance | null,
    output: unknown,
  ) {
    return this.d.audit({
      actor: actor.email,
      opportunityId,
      capability: 'offer',
      action,
      provenance,
      output,
      decision: action.split('.').pop() ?? null,
      leverIds: [opportunityId],
    });
  }
}

export function mayActOn(step: ChainStep, actor: Principal, data: OfferData): boolean {
  const owner = userId(data.opportunity.owner);
  const manager = userId(data.requisition?.hiringManager) ?? userId(data.posting?.hiringManager);
  return step.approvers.some((a) => {
    if (a === 'admin') return actor.role === 'admin';
    if (a === 'owner') return !!actor.leverUserId && actor.leverUserId === owner;
    if (a === 'hiring-manager') return !!actor.leverUserId && actor.leverUserId === manager;
    return a.toLowerCase() === actor.email.toLowerCase();
  });
}

function describeApprovers(step: ChainStep): string {
  const words = step.approvers.map((a) =>
    a === 'owner'
      ? 'the candidate’s owner in Lever'
      : a === 'hiring-manager'
        ? 'the hiring manager'
        : a === 'admin'
          ? 'a Fulcrum admin'
          : a,
  );
  return words.join(' or ');
}

export function letterFileName(data: OfferData, version: number): string {
  const who = (data.opportunity.name ?? 'candidate')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `Offer letter - ${who || 'candidate'} - v${version}.pdf`;
}
