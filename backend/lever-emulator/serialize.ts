import type {
  EmuApplication,
  EmuFile,
  EmuNote,
  EmuOffer,
  EmuOpportunity,
  EmuPanel,
  EmuPosting,
  EmuResume,
  EmuUser,
  EmuWebhook,
} from './model.ts';
import type { EmulatorStore } from './store.ts';

/**
 * Emulator records → Lever's wire shapes (lever-api.md §4). `ui` is the emulator's own origin, which plays the
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

export function serializePosting(p: EmuPosting, ui: string, withContent = true): Record<string, unknown> {
  const { family: _family, content, ...rest } = p;
  return {
    ...rest,
    ...(withContent ? { content } : {}),
    urls: {
      list: `${ui}/jobs`,
      show: `${ui}/jobs/postings/${p.id}`,
      apply: `${ui}/jobs/postings/${p.id}/apply`,
    },
  };
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
    dataProtection: null,
    opportunityLocation: o.location,
  };
  // `include` narrows to the named fields; `expand` overrides it (lever-api.md §3).
  if (include.size === 0) return full;
  const narrowed: Record<string, unknown> = { id: o.id };
  for (const k of [...include, ...expand]) if (k in full) narrowed[k] = full[k];
  return narrowed;
}

export function serializeNote(n: EmuNote): Record<string, unknown> {
  const { opportunityId: _o, createdVia: _c, ...rest } = n;
  return { ...rest, deletedAt: null };
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
    parsedData: r.parsedData,
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

export function serializePanel(p: EmuPanel, expandInterviews: unknown[] | undefined): Record<string, unknown> {
  const { opportunityId: _o, ...rest } = p;
  return { ...rest, interviews: expandInterviews ?? p.interviews };
}

export function serializeWebhook(w: EmuWebhook, withToken: boolean): Record<string, unknown> {
  return {
    id: w.id,
    url: w.url,
    event: w.event,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    configuration: {
      ...(w.origins ? { conditions: { origins: w.origins } } : {}),
      ...(withToken ? { signatureToken: w.signatureToken } : {}),
    },
  };
}

/** Strips emulator-only bookkeeping fields (`opportunityId` on sub-records) from a record. */
export function publicRecord<T extends { opportunityId: string }>(r: T): Omit<T, 'opportunityId'> {
  const { opportunityId: _o, ...rest } = r;
  return rest;
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

