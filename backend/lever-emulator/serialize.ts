import type {
  EmuApplication,
  EmuEeo,
  EmuFeedback,
  EmuFile,
  EmuInterview,
  EmuNote,
  EmuOffer,
  EmuOpportunity,
  EmuPanel,
  EmuPosting,
  EmuRequisition,
  EmuResume,
  EmuUser,
  EmuWebhook,
} from './model.ts';
import type { EmulatorStore } from './store.ts';

/**
 * Emulator records → Lever's wire shapes (docs/lever-api.md §4). `ui` is the emulator's own origin, which plays the
 * part of hire.lever.co in `urls` and `downloadUrl`, so the extension can open what the API points at.
 */

function user(u: EmuUser): Record<string, unknown> {
  return {
    id: u.id,
    name: u.name,
    username: u.username,
    email: u.email,
    accessRole: u.accessRole,
    photo: null,
    createdAt: u.createdAt,
    deactivatedAt: u.deactivatedAt,
    externalDirectoryId: null,
    linkedContactIds: null,
    jobTitle: u.jobTitle,
    managerId: null,
  };
}

export { user as serializeUser };

/**
 * Lever's response shaping (docs/lever-api.md §3): `include=…` returns ONLY the fields named (`include=id` is `{id}`),
 * and `expand=…` returns the named fields expanded, overriding `include`. No include: the whole object.
 */
export function shape(
  full: Record<string, unknown>,
  include: ReadonlySet<string>,
  expand: ReadonlySet<string>,
): Record<string, unknown> {
  if (include.size === 0) return full;
  const narrowed: Record<string, unknown> = {};
  for (const k of [...include, ...expand]) if (k in full) narrowed[k] = full[k];
  return narrowed;
}

const NONE: ReadonlySet<string> = new Set();

/** The deprecated `categories.level`, still returned: the seniority word of the title, or null. */
function levelOf(title: string): string | null {
  return /\b(Senior|Staff|Principal|Lead|Junior)\b/.exec(title)?.[1] ?? null;
}

export function postingLevel(p: EmuPosting): string | null {
  return levelOf(p.text);
}

/** A posting as `GET /postings[/:id]` returns it: `content` always (unless narrowed by `include`). */
export function serializePosting(
  p: EmuPosting,
  ui: string,
  store?: EmulatorStore,
  shaping: { include?: ReadonlySet<string>; expand?: ReadonlySet<string> } = {},
): Record<string, unknown> {
  const expand = shaping.expand ?? NONE;
  const userOr = (id: string) => {
    const u = expand.size && store ? store.users.get(id) : undefined;
    return u ? user(u) : id;
  };
  const full: Record<string, unknown> = {
    id: p.id,
    text: p.text,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    user: expand.has('user') ? userOr(p.user) : p.user,
    owner: expand.has('owner') ? userOr(p.owner) : p.owner,
    hiringManager: expand.has('hiringManager') ? userOr(p.hiringManager) : p.hiringManager,
    confidentiality: p.confidentiality,
    categories: { ...p.categories, level: levelOf(p.text) },
    content: p.content,
    country: p.country,
    followers: expand.has('followers') ? p.followers.map(userOr) : p.followers,
    tags: p.tags,
    state: p.state,
    distributionChannels: p.distributionChannels,
    reqCode: p.requisitionCodes[0] ?? null,
    requisitionCodes: p.requisitionCodes,
    salaryDescription: p.salaryDescription ?? null,
    salaryDescriptionHtml: p.salaryDescription ? `<div>${escapeText(p.salaryDescription)}</div>` : null,
    salaryRange: p.salaryRange ?? null,
    urls: {
      list: `${ui}/jobs`,
      show: `${ui}/jobs/postings/${p.id}`,
      apply: `${ui}/jobs/postings/${p.id}/apply`,
    },
    workplaceType: p.workplaceType ?? 'unspecified',
    transcribeInterviews: false,
  };
  return shape(full, shaping.include ?? NONE, expand);
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function serializeApplication(a: EmuApplication, store: EmulatorStore, ui: string, expandPosting: boolean) {
  const o = store.opportunity(a.opportunityId);
  const posting = store.postings.get(a.posting);
  return {
    id: a.id,
    opportunityId: a.opportunityId,
    candidateId: a.opportunityId,
    createdAt: a.createdAt,
    type: a.type,
    posting: expandPosting && posting ? serializePosting(posting, ui) : a.posting,
    postingOwner: a.postingOwner,
    postingHiringManager: a.postingHiringManager,
    user: a.user,
    name: a.name,
    email: a.email,
    phone: a.phone,
    company: a.company,
    links: a.links,
    comments: a.comments,
    customQuestions: [],
    archived: o?.archived ?? null,
    requisitionForHire: null,
  };
}

export function serializeContact(o: EmuOpportunity): Record<string, unknown> {
  return {
    id: o.contact,
    name: o.name,
    headline: o.headline,
    location: { name: o.location },
    emails: o.emails,
    phones: o.phones,
    isAnonymized: false,
  };
}

export function serializeOpportunity(
  o: EmuOpportunity,
  store: EmulatorStore,
  ui: string,
  expand: ReadonlySet<string>,
  include: ReadonlySet<string>,
): Record<string, unknown> {
  const userOr = (id: string | null) => {
    const u = id ? store.users.get(id) : undefined;
    return u ? user(u) : id;
  };
  const stage = store.seed.stages.find((s) => s.id === o.stage);
  const full: Record<string, unknown> = {
    id: o.id,
    name: o.name,
    contact: expand.has('contact') ? serializeContact(o) : o.contact,
    headline: o.headline,
    stage: expand.has('stage') && stage ? { ...stage } : o.stage,
    confidentiality: o.confidentiality,
    location: o.location,
    phones: o.phones,
    emails: o.emails,
    links: o.links,
    archived: o.archived,
    tags: o.tags,
    sources: o.sources,
    stageChanges: o.stageChanges,
    origin: o.origin,
    sourcedBy: expand.has('sourcedBy') ? userOr(o.sourcedBy) : o.sourcedBy,
    owner: expand.has('owner') ? userOr(o.owner) : o.owner,
    followers: expand.has('followers') ? o.followers.map(userOr) : o.followers,
    applications: expand.has('applications')
      ? [serializeApplication(store.application(o), store, ui, false)]
      : [o.applicationId],
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    lastInteractionAt: o.lastInteractionAt,
    lastAdvancedAt: o.lastAdvancedAt,
    snoozedUntil: o.snoozedUntil,
    urls: { list: `${ui}/candidates`, show: `${ui}/candidates/${o.id}` },
    isAnonymized: false,
    dataProtection: dataProtectionOf(o),
    opportunityLocation: o.location,
    // Deprecated fields Lever's examples still carry; always null on opportunities (use `archived`, /resumes).
    archivedAt: null,
    archiveReason: null,
    resume: null,
  };
  return shape(full, include, expand);
}

/**
 * `dataProtection` on an account with GDPR features on: consent to store the candidate's data and to contact them,
 * each `{allowed, expiresAt}`. Consent is given on applying and lasts two years.
 */
function dataProtectionOf(o: EmuOpportunity): Record<string, unknown> {
  const applied = o.origin === 'applied' || o.origin === 'referred';
  const expiresAt = o.createdAt + 730 * 86_400_000;
  return {
    store: { allowed: true, expiresAt: applied ? expiresAt : null },
    contact: { allowed: applied || o.origin === 'internal', expiresAt: applied ? expiresAt : null },
  };
}

export function serializeNote(n: EmuNote): Record<string, unknown> {
  const { opportunityId: _o, createdVia: _c, fields, ...rest } = n;
  // Each comment of the thread carries the stage it was written in (null for notes made before stages existed).
  return { ...rest, fields: fields.map((f) => ({ stage: null, ...f })), deletedAt: null };
}

export function serializeResume(r: EmuResume, ui: string): Record<string, unknown> {
  return {
    id: r.id,
    createdAt: r.createdAt,
    file: {
      name: r.fileName,
      ext: r.fileName.split('.').pop() ?? 'txt',
      downloadUrl: `${ui}/candidates/${r.opportunityId}/resumes/${r.id}/download`,
      uploadedAt: r.createdAt,
      status: 'processed',
      size: 2048,
    },
    // Lever's parsed schools carry a summary too (null when the parser found none).
    parsedData: { ...r.parsedData, schools: r.parsedData.schools.map((s) => ({ summary: null, ...s })) },
  };
}

export function serializeFile(f: EmuFile, ui: string): Record<string, unknown> {
  return {
    id: f.id,
    downloadUrl: `${ui}/candidates/${f.opportunityId}/files/${f.id}/download`,
    ext: f.ext,
    name: f.name,
    uploadedAt: f.uploadedAt,
    status: 'processed',
    size: f.content.length,
  };
}

/** Feedback reminder setting of an interview when none was chosen (Lever's values: once, daily, frequently, none). */
const DEFAULT_FEEDBACK_REMINDER = 'once';

/** An interview as `GET /opportunities/:id/interviews` returns it (the opportunity id included). */
export function serializeInterview(i: EmuInterview): Record<string, unknown> {
  return {
    ...i,
    gcalEventUrl: i.gcalEventUrl ?? null,
    feedbackReminder: i.feedbackReminder ?? DEFAULT_FEEDBACK_REMINDER,
  };
}

/**
 * A panel: its interviews are OBJECTS, each `{id, date, duration, subject, note, interviewers, location,
 * feedbackTemplate, feedbackReminder}`, taken from the opportunity's interviews (in the panel's order).
 */
export function serializePanel(p: EmuPanel, interviews: readonly EmuInterview[]): Record<string, unknown> {
  const { opportunityId: _o, interviews: ids, ...rest } = p;
  const byId = new Map(interviews.map((i) => [i.id, i]));
  return {
    ...rest,
    interviews: ids.flatMap((id) => {
      const i = byId.get(id);
      if (!i) return [];
      return [
        {
          id: i.id,
          date: i.date,
          duration: i.duration,
          subject: i.subject,
          note: i.note,
          interviewers: i.interviewers,
          location: i.location,
          feedbackTemplate: i.feedbackTemplate,
          feedbackReminder: i.feedbackReminder ?? DEFAULT_FEEDBACK_REMINDER,
        },
      ];
    }),
  };
}

/** A feedback form: every field with `description`, `prompt` and `options` (null where a type has none). */
export function serializeFeedback(f: EmuFeedback): Record<string, unknown> {
  const { opportunityId: _o, fields, ...rest } = f;
  return {
    ...rest,
    fields: fields.map((x) => ({
      ...x,
      description: x.description ?? '',
      prompt: x.prompt ?? null,
      options: x.options ?? null,
    })),
    deletedAt: null,
  };
}

/**
 * A requisition as Lever returns it (write_requisitions.json fixture plus the documented fields): confidentiality,
 * `headcountInfinite`, internal notes, the approval workflow, time-to-fill bounds and `closedAt`.
 */
export function serializeRequisition(r: EmuRequisition): Record<string, unknown> {
  return {
    id: r.id,
    requisitionCode: r.requisitionCode,
    name: r.name,
    confidentiality: r.confidentiality ?? 'non-confidential',
    backfill: r.backfill,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    creator: r.creator,
    headcountHired: r.headcountHired,
    headcountTotal: r.headcountTotal,
    headcountInfinite: r.headcountInfinite ?? false,
    owner: r.owner,
    status: r.status,
    hiringManager: r.hiringManager,
    approval: r.approval ?? { steps: [] },
    compensationBand: r.compensationBand,
    employmentStatus: r.employmentStatus,
    location: r.location,
    internalNotes: r.internalNotes ?? '',
    postings: r.postings,
    team: r.team,
    department: r.department,
    offerIds: r.offerIds,
    customFields: r.customFields,
    timeToFillStartAt: r.timeToFillStartAt ?? r.createdAt,
    timeToFillEndAt: r.timeToFillEndAt ?? null,
    closedAt: r.closedAt ?? null,
  };
}

/** An ANONYMOUS EEO response (`GET /eeo/responses`): the self-report and pipeline facts, no identifier at all. */
export function serializeEeoAnonymous(e: EmuEeo, currentStage: string): Record<string, unknown> {
  return {
    gender: e.gender,
    race: e.race,
    veteran: e.veteran,
    disability: e.disability,
    disabilitySignatureDate: e.disabilitySignatureDate ?? null,
    currentStage,
    appliedAt: e.appliedAt,
    hiredDate: e.hiredDate,
    origin: e.origin,
    source: e.source,
    requisitionCodes: e.requisitionCodes,
  };
}

/** An EEO response WITH identifiers (`GET /eeo/responses/pii`); `expand` swaps contact/posting/hiringManager ids. */
export function serializeEeoPii(
  e: EmuEeo,
  currentStage: string,
  store: EmulatorStore,
  ui: string,
  expand: ReadonlySet<string>,
): Record<string, unknown> {
  const o = store.opportunity(e.opportunityId);
  const posting = store.postings.get(e.posting);
  const manager = posting ? store.users.get(posting.hiringManager) : undefined;
  return {
    ...serializeEeoAnonymous(e, currentStage),
    opportunityId: e.opportunityId,
    contact: expand.has('contact') && o ? serializeContact(o) : e.contact,
    posting: expand.has('posting') && posting ? serializePosting(posting, ui, store) : e.posting,
    hiringManager: expand.has('hiringManager') && manager ? user(manager) : (posting?.hiringManager ?? null),
  };
}

export function serializeWebhook(w: EmuWebhook, withToken: boolean): Record<string, unknown> {
  return {
    id: w.id,
    url: w.url,
    event: w.event,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    // `conditions` is always there: the origin filter, or null for a webhook that takes every origin.
    configuration: {
      conditions: w.origins ? { origins: w.origins } : null,
      ...(withToken ? { signatureToken: w.signatureToken } : {}),
    },
  };
}

/** An offer as Lever lists it: `signatures` and the sent/signed documents are null until the offer is sent. */
export function serializeOffer(o: EmuOffer): Record<string, unknown> {
  const sent = o.sentAt !== null;
  return {
    ...publicRecord(o),
    signatures: sent ? { candidate: { role: 'candidate', signed: o.status === 'signed' }, signers: [] } : null,
    sentDocument: sent ? { fileName: 'offer-letter.pdf', uploadedAt: o.sentAt, downloadUrl: null } : null,
    signedDocument:
      o.status === 'signed' ? { fileName: 'offer-letter-signed.pdf', uploadedAt: o.sentAt, downloadUrl: null } : null,
  };
}

/** Strips emulator-only bookkeeping fields (`opportunityId` on sub-records) from a record. */
export function publicRecord<T extends { opportunityId: string }>(r: T): Omit<T, 'opportunityId'> {
  const { opportunityId: _o, ...rest } = r;
  return rest;
}
