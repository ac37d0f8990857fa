import { z } from 'zod';

/**
 * Lever API v1 response shapes written FROM LEVER'S DOCUMENTATION (docs/lever-api.md §3-§7, corrected against
 * recorded traffic) and the recorded payloads in ./fixtures, not from the emulator. The contract suite validates the
 * emulator's answers, and a real Lever account's, against them.
 *
 * Two strictnesses, one source:
 * - `lever` (a real account): fields attested by a recorded payload are required; fields only the docs name are
 *   optional (Lever omits some) but typed when present; unknown extra fields are allowed (Lever adds fields).
 * - `emulator`: every documented field is required and NO field outside the documented set is allowed, so the
 *   emulator can neither lack a field real Lever has nor invent one it lacks.
 * Anonymous EEO responses are checked for identifiers in both modes.
 */
export type ContractMode = 'lever' | 'emulator';

export function contractSchemas(mode: ContractMode) {
  const emulator = mode === 'emulator';
  // biome-ignore lint/suspicious/noExplicitAny: the shape type is whatever the caller passes
  const obj = <S extends Record<string, z.ZodType<any>>>(shape: S) =>
    emulator ? z.strictObject(shape) : z.looseObject(shape);
  /** Documented, not attested by a recorded payload: required of the emulator, optional (but typed) for Lever. */
  const doc = <T extends z.ZodType>(s: T) => (emulator ? s : s.optional());
  /** Allowed, never required: deprecated or uncertain fields. */
  const maybe = <T extends z.ZodType>(s: T) => s.optional();

  const id = z.string().min(1);
  const ms = z.number().int().nonnegative();
  const str = z.string();
  const strs = z.array(z.string());
  const nul = <T extends z.ZodType>(s: T) => s.nullable();

  const Phone = obj({ type: nul(str), value: str });
  const ArchivedState = obj({ reason: id, archivedAt: ms });
  const Stage = obj({ id, text: str });
  const ArchiveReason = obj({
    id,
    text: str,
    status: z.enum(['active', 'inactive']),
    type: z.enum(['hired', 'non-hired']),
  });

  // users.json (recorded): every field present, nulls included.
  const User = obj({
    id,
    name: str,
    username: str,
    email: str,
    accessRole: z.enum(['super admin', 'admin', 'team member', 'limited team member', 'interviewer']),
    photo: nul(str),
    createdAt: ms,
    deactivatedAt: nul(ms),
    externalDirectoryId: nul(str),
    linkedContactIds: nul(strs),
    jobTitle: nul(str),
    managerId: nul(str),
  });
  const userRef = z.union([id, User]);

  const Contact = obj({
    id,
    name: str,
    headline: doc(str),
    location: doc(nul(obj({ name: nul(str) }))),
    emails: strs,
    phones: z.array(Phone),
    isAnonymized: doc(z.boolean()),
  });

  const PostingContent = obj({
    description: str,
    descriptionHtml: str,
    lists: z.array(obj({ text: str, content: str })),
    closing: str,
    closingHtml: str,
  });
  const Posting = obj({
    id,
    text: str,
    createdAt: ms,
    updatedAt: ms,
    user: userRef,
    owner: userRef,
    hiringManager: nul(userRef),
    confidentiality: z.enum(['confidential', 'non-confidential']),
    categories: obj({
      team: nul(str),
      department: doc(nul(str)),
      location: nul(str),
      allLocations: doc(strs),
      commitment: nul(str),
      level: doc(nul(str)), // deprecated, still returned
    }),
    // Returned by default on the list and the single read (recorded traffic); include=… narrows it away.
    content: PostingContent,
    country: doc(nul(str)),
    followers: z.array(userRef),
    tags: strs,
    state: z.enum(['published', 'internal', 'closed', 'draft', 'pending', 'rejected']),
    distributionChannels: z.array(z.enum(['public', 'internal'])),
    reqCode: doc(nul(str)), // deprecated, still returned
    requisitionCodes: doc(strs),
    salaryDescription: doc(nul(str)),
    salaryDescriptionHtml: doc(nul(str)),
    salaryRange: doc(nul(obj({ min: z.number(), max: z.number(), currency: str, interval: str }))),
    urls: obj({ list: str, show: str, apply: str }),
    workplaceType: doc(z.enum(['onsite', 'remote', 'hybrid', 'unspecified'])),
    transcribeInterviews: doc(z.boolean()),
    // Named in issue 16 as a real field, absent from the reference: allowed, shape unknown, never required.
    screening: maybe(z.unknown()),
  });

  const Application = obj({
    id,
    opportunityId: id,
    candidateId: id, // deprecated: equals the opportunity id
    createdAt: ms,
    type: z.enum(['posting', 'user', 'referral']),
    posting: z.union([id, Posting]),
    postingOwner: nul(userRef),
    postingHiringManager: nul(userRef),
    user: nul(userRef),
    name: nul(str),
    email: nul(str),
    phone: nul(Phone),
    company: nul(str),
    links: strs,
    comments: nul(str),
    customQuestions: z.array(z.unknown()),
    archived: nul(ArchivedState),
    requisitionForHire: nul(obj({ id, requisitionCode: nul(str), hiringManagerOnHire: nul(str) })),
  });

  const Consent = nul(obj({ allowed: z.boolean(), expiresAt: nul(ms) }));
  const OPPORTUNITY_EXPANDS = ['applications', 'stage', 'owner', 'followers', 'sourcedBy', 'contact'] as const;
  type OpportunityExpand = (typeof OPPORTUNITY_EXPANDS)[number];

  /** An opportunity as GET /opportunities[/:id] returns it (opportunities.json, recorded), for a set of expands. */
  const opportunity = (expand: readonly OpportunityExpand[] = []) => {
    const x = new Set(expand);
    return obj({
      id,
      name: str,
      contact: x.has('contact') ? Contact : id,
      headline: str,
      stage: x.has('stage') ? Stage : id,
      confidentiality: z.enum(['confidential', 'non-confidential']),
      location: str,
      phones: z.array(Phone),
      emails: strs,
      links: strs,
      archived: nul(ArchivedState),
      tags: strs,
      sources: strs,
      stageChanges: z.array(obj({ toStageId: id, toStageIndex: z.number().int(), updatedAt: ms, userId: nul(str) })),
      origin: z.enum(['agency', 'applied', 'internal', 'referred', 'sourced', 'university']),
      sourcedBy: nul(x.has('sourcedBy') ? User : id),
      owner: nul(x.has('owner') ? User : id),
      followers: z.array(x.has('followers') ? User : id),
      // At most one application per opportunity.
      applications: z.array(x.has('applications') ? Application : id).max(1),
      createdAt: ms,
      updatedAt: ms,
      lastInteractionAt: ms,
      lastAdvancedAt: ms,
      snoozedUntil: nul(ms),
      urls: obj({ list: str, show: str }),
      isAnonymized: z.boolean(),
      dataProtection: nul(obj({ store: Consent, contact: Consent })),
      opportunityLocation: nul(str),
      // Deprecated fields the docs' examples still carry (null): use `archived` and /resumes instead.
      archivedAt: doc(z.null()),
      archiveReason: doc(z.null()),
      resume: doc(z.null()),
      // Only on deleted items.
      deletedBy: maybe(nul(str)),
      deletedAt: maybe(nul(ms)),
    });
  };

  const DeletedOpportunity = obj({ id, deletedAt: ms, deletedBy: nul(str) });

  const NoteComment = obj({
    type: z.literal('note'),
    text: str,
    value: str,
    createdAt: ms,
    user: nul(id),
    score: nul(z.number().int().min(1).max(4)),
    stage: doc(nul(str)),
  });
  const Note = obj({
    id,
    text: str,
    fields: z.array(NoteComment).min(1),
    user: nul(id),
    secret: z.boolean(),
    createdAt: ms,
    completedAt: nul(ms),
    deletedAt: nul(ms),
  });
  /** POST /notes: documented `{noteId}`; recorded live responses are the whole note plus `noteId`. */
  const CreatedNote = emulator
    ? z.strictObject({ ...Note.shape, noteId: id })
    : z.union([z.looseObject({ ...Note.shape, noteId: id }), z.looseObject({ noteId: id })]);

  const FIELD_TYPES = [
    'code',
    'currency',
    'date',
    'dropdown',
    'multiple-choice',
    'multiple-select',
    'score',
    'score-system',
    'scorecard',
    'text',
    'textarea',
    'yes-no',
  ] as const;
  const Option = obj({ text: str, optionId: maybe(str) });
  const FeedbackField = obj({
    id,
    type: z.enum(FIELD_TYPES),
    text: str,
    description: doc(nul(str)),
    required: z.boolean(),
    value: z.unknown(),
    prompt: doc(nul(str)),
    options: doc(nul(z.array(Option))),
    overall: maybe(z.boolean()),
  }).superRefine((f, ctx) => {
    const v = f.value;
    // The overall rating's value is the option TEXT ("3 - Hire"), never a number (recorded traffic).
    const isOverall = f.type === 'score-system' || f.overall === true;
    if (isOverall && v !== null && v !== undefined && typeof v !== 'string') {
      ctx.addIssue({ code: 'custom', message: `overall rating value must be the option text, got ${typeof v}` });
    }
    if (f.type === 'score' && !f.overall && v !== null && v !== undefined) {
      if (!(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4)) {
        ctx.addIssue({ code: 'custom', message: 'a score field holds an integer 1-4' });
      }
    }
    if (f.type === 'scorecard' && v !== null && v !== undefined) {
      const ok =
        Array.isArray(v) &&
        v.every((x) => x && typeof x === 'object' && 'score' in x && (typeof x.score === 'number' || x.score === null));
      if (!ok) ctx.addIssue({ code: 'custom', message: 'a scorecard holds a list of {score, comment}' });
    }
  });
  const Feedback = obj({
    id,
    type: z.enum(['interview', 'assignment', 'share']),
    text: str,
    instructions: nul(str),
    baseTemplateId: nul(str),
    fields: z.array(FeedbackField),
    user: userRef,
    panel: nul(str),
    interview: nul(str),
    createdAt: ms,
    updatedAt: doc(ms),
    completedAt: nul(ms),
    deletedAt: nul(ms),
  });

  const Interviewer = obj({ id, email: str, name: str, feedbackTemplate: nul(str) });
  const Interview = obj({
    id,
    opportunityId: doc(id),
    panel: id,
    subject: str,
    note: nul(str),
    interviewers: z.array(Interviewer),
    timezone: str,
    date: ms,
    duration: z.number().int().positive(), // minutes
    location: nul(str),
    feedbackTemplate: nul(str),
    feedbackForms: strs,
    feedbackReminder: doc(str),
    gcalEventUrl: doc(nul(str)),
    user: userRef,
    stage: nul(str),
    canceledAt: nul(ms),
    postings: strs,
    createdAt: ms,
  });
  /** Inside a panel, interviews are OBJECTS with these fields (not ids). */
  const PanelInterview = obj({
    id,
    date: ms,
    duration: z.number().int().positive(),
    subject: str,
    note: nul(str),
    interviewers: z.array(Interviewer),
    location: nul(str),
    feedbackTemplate: nul(str),
    feedbackReminder: str,
  });
  const Panel = obj({
    id,
    applications: strs,
    interviews: z.array(PanelInterview),
    start: ms,
    end: ms,
    timezone: str,
    note: nul(str),
    externallyManaged: z.boolean(),
    externalUrl: nul(str),
    canceledAt: nul(ms),
    user: userRef,
    stage: nul(str),
    createdAt: ms,
  });

  const Document = nul(obj({ fileName: str, uploadedAt: nul(ms), downloadUrl: nul(str) }));
  const Offer = obj({
    id,
    createdAt: ms,
    creator: userRef,
    status: z.enum(['draft', 'approval-sent', 'approved', 'sent', 'sent-manually', 'opened', 'denied', 'signed']),
    approvedAt: nul(ms),
    sentAt: nul(ms),
    fields: z.array(obj({ text: str, identifier: str, value: z.unknown() })),
    signatures: doc(z.unknown()),
    sentDocument: doc(Document),
    signedDocument: doc(Document),
  });

  const YearMonth = nul(obj({ year: z.number().int(), month: nul(z.number().int().min(1).max(12)) }));
  const FileStatus = nul(z.enum(['processing', 'processed', 'unsupported', 'error']));
  const Resume = obj({
    id,
    createdAt: ms,
    file: obj({ name: str, ext: str, downloadUrl: str, uploadedAt: ms, status: FileStatus, size: z.number().int() }),
    parsedData: obj({
      positions: z.array(
        obj({ org: str, title: str, summary: nul(str), location: nul(str), start: YearMonth, end: YearMonth }),
      ),
      schools: z.array(
        obj({ org: str, degree: nul(str), field: nul(str), summary: doc(nul(str)), start: YearMonth, end: YearMonth }),
      ),
    }),
  });
  const LeverFile = obj({
    id,
    downloadUrl: str,
    ext: str,
    name: str,
    uploadedAt: ms,
    status: FileStatus,
    size: z.number().int(),
  });

  // write_requisitions.json (recorded) fixes the required set; the rest is documented.
  const Requisition = obj({
    id,
    requisitionCode: str,
    name: str,
    confidentiality: doc(z.enum(['confidential', 'non-confidential'])),
    backfill: z.boolean(),
    createdAt: ms,
    updatedAt: doc(ms),
    creator: nul(str),
    headcountHired: z.number().int(),
    headcountTotal: z.union([z.number().int(), z.literal('unlimited')]),
    headcountInfinite: doc(z.boolean()),
    owner: nul(str),
    status: z.enum(['open', 'onHold', 'closed', 'draft']),
    hiringManager: nul(str),
    approval: nul(obj({ steps: z.array(z.unknown()) })),
    compensationBand: nul(obj({ currency: str, interval: str, min: z.number(), max: z.number() })),
    employmentStatus: nul(str),
    location: nul(str),
    internalNotes: nul(str),
    postings: strs,
    team: nul(str),
    department: doc(nul(str)),
    offerIds: strs,
    customFields: z.record(z.string(), z.unknown()),
    timeToFillStartAt: doc(nul(ms)),
    timeToFillEndAt: doc(nul(ms)),
    closedAt: doc(nul(ms)),
  });
  const RequisitionField = obj({
    id,
    text: str,
    type: str,
    isRequired: z.boolean(),
    subfields: maybe(z.array(obj({ id, text: str, type: str }))),
    options: maybe(z.array(z.unknown())),
  });

  const Count = obj({ text: str, count: z.number().int().nonnegative() });

  const IDENTIFIERS = ['opportunityId', 'candidateId', 'contact', 'posting', 'email', 'name'];
  const msOrText = z.union([ms, str]);
  const eeoShape = {
    gender: nul(str),
    race: nul(str),
    veteran: nul(str),
    disability: nul(str),
    disabilitySignatureDate: doc(nul(msOrText)),
    currentStage: nul(str),
    appliedAt: msOrText, // a number in recorded traffic, a string in the docs' example
    hiredDate: nul(msOrText),
    origin: nul(str),
    source: nul(str),
    requisitionCodes: strs,
  };
  /** GET /eeo/responses: anonymous. No opportunity, contact or posting, in either mode. */
  const EeoAnonymous = obj(eeoShape).superRefine((r, ctx) => {
    for (const k of IDENTIFIERS) {
      if (k in r) ctx.addIssue({ code: 'custom', message: `anonymous EEO response carries an identifier: ${k}` });
    }
  });
  /** GET /eeo/responses/pii: the same answers WITH identifiers (its own permission). */
  const EeoPii = obj({
    ...eeoShape,
    opportunityId: id,
    contact: z.union([id, Contact]),
    posting: z.union([id, Posting]),
    hiringManager: nul(userRef),
  });

  const ORIGINS = ['applied', 'sourced', 'referred', 'university', 'agency', 'internal'] as const;
  const EVENTS = [
    'applicationCreated',
    'candidateHired',
    'candidateStageChange',
    'candidateArchiveChange',
    'candidateDeleted',
    'interviewCreated',
    'interviewUpdated',
    'interviewDeleted',
    'contactCreated',
    'contactUpdated',
  ] as const;
  const webhook = (created: boolean) =>
    obj({
      id,
      url: str,
      event: z.enum(EVENTS),
      createdAt: ms,
      updatedAt: ms,
      configuration: obj({
        conditions: nul(obj({ origins: z.array(z.enum(ORIGINS)) })),
        // Only the create response carries the signature token.
        signatureToken: created ? z.string().min(16) : maybe(z.string()),
      }),
    });

  const ErrorBody = z.looseObject({ code: str, message: str });

  /** One page of a list endpoint: `{data: [...], hasNext, next?}`; `next` is there exactly when hasNext. */
  const page = <T extends z.ZodType>(item: T) =>
    z
      .looseObject({ data: z.array(item), hasNext: z.boolean(), next: maybe(z.string().min(1)) })
      .refine((p) => !p.hasNext || typeof p.next === 'string', { message: 'hasNext without a next cursor' });

  return {
    mode,
    OPPORTUNITY_EXPANDS,
    Stage,
    ArchiveReason,
    User,
    Contact,
    Posting,
    PostingContent,
    Application,
    Opportunity: opportunity,
    DeletedOpportunity,
    Note,
    CreatedNote,
    Feedback,
    FeedbackField,
    Interview,
    Panel,
    Offer,
    Resume,
    LeverFile,
    Requisition,
    RequisitionField,
    Count,
    EeoAnonymous,
    EeoPii,
    Webhook: webhook,
    ErrorBody,
    Page: page,
  };
}

export type ContractSchemas = ReturnType<typeof contractSchemas>;
