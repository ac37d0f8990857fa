import { z } from 'zod';

/**
 * zod schemas for every Lever API v1 object Fulcrum reads. Lever adds fields without a version bump and omits many
 * optional ones, so every object is loose (unknown fields pass through) and every field that is not an identifier
 * is optional and nullable. Timestamps are epoch milliseconds. Field lists follow docs/lever-api.md §4.
 */

const id = z.string().min(1);
const ms = z.number();
const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const strings = z.array(z.string());

export const PhoneSchema = z.looseObject({ type: opt(z.string()), value: z.string() });

export const UrlsSchema = z.looseObject({ list: opt(z.string()), show: opt(z.string()), apply: opt(z.string()) });

export const ArchivedStateSchema = z.looseObject({ reason: opt(z.string()), archivedAt: opt(ms) });
export type ArchivedState = z.infer<typeof ArchivedStateSchema>;

export const StageSchema = z.looseObject({ id, text: z.string() });
export type Stage = z.infer<typeof StageSchema>;

export const ArchiveReasonSchema = z.looseObject({
  id,
  text: z.string(),
  status: opt(z.string()),
  type: opt(z.string()),
});
export type ArchiveReason = z.infer<typeof ArchiveReasonSchema>;

export const UserSchema = z.looseObject({
  id,
  name: opt(z.string()),
  username: opt(z.string()),
  email: opt(z.string()),
  accessRole: opt(z.string()),
  photo: opt(z.string()),
  createdAt: opt(ms),
  deactivatedAt: opt(ms),
  externalDirectoryId: opt(z.string()),
  linkedContactIds: opt(strings),
  jobTitle: opt(z.string()),
  managerId: opt(z.string()),
});
export type User = z.infer<typeof UserSchema>;

/** A user reference: Lever returns an ID unless the field was expanded. */
const userRef = z.union([z.string(), UserSchema]);

export const ContactSchema = z.looseObject({
  id,
  name: opt(z.string()),
  headline: opt(z.string()),
  location: opt(z.union([z.string(), z.looseObject({ name: opt(z.string()) })])),
  emails: opt(strings),
  phones: opt(z.array(PhoneSchema)),
  isAnonymized: opt(z.boolean()),
});
export type Contact = z.infer<typeof ContactSchema>;

export const PostingContentListSchema = z.looseObject({ text: z.string(), content: z.string() });

export const PostingSchema = z.looseObject({
  id,
  text: z.string(),
  state: opt(z.string()),
  distributionChannels: opt(strings),
  confidentiality: opt(z.string()),
  user: opt(userRef),
  owner: opt(userRef),
  hiringManager: opt(userRef),
  followers: opt(z.array(userRef)),
  categories: opt(
    z.looseObject({
      team: opt(z.string()),
      department: opt(z.string()),
      location: opt(z.string()),
      allLocations: opt(strings),
      commitment: opt(z.string()),
      level: opt(z.string()),
    }),
  ),
  content: opt(
    z.looseObject({
      description: opt(z.string()),
      descriptionHtml: opt(z.string()),
      lists: opt(z.array(PostingContentListSchema)),
      closing: opt(z.string()),
      closingHtml: opt(z.string()),
    }),
  ),
  tags: opt(strings),
  country: opt(z.string()),
  reqCode: opt(z.string()),
  requisitionCodes: opt(strings),
  salaryDescription: opt(z.string()),
  salaryDescriptionHtml: opt(z.string()),
  salaryRange: opt(
    z.looseObject({
      min: opt(z.number()),
      max: opt(z.number()),
      currency: opt(z.string()),
      interval: opt(z.string()),
    }),
  ),
  workplaceType: opt(z.string()),
  urls: opt(UrlsSchema),
  createdAt: opt(ms),
  updatedAt: opt(ms),
});
export type Posting = z.infer<typeof PostingSchema>;

/**
 * A posting read with `include=…`: Lever returns ONLY the named fields (`include=id` answers `{id}`), so nothing but
 * the id can be required. The client always adds `id` to the list it sends.
 */
const PostingFieldsSchema = PostingSchema.partial().extend({ id });

export const ApplicationSchema = z.looseObject({
  id,
  opportunityId: opt(z.string()),
  candidateId: opt(z.string()),
  createdAt: opt(ms),
  type: opt(z.string()),
  posting: opt(z.union([z.string(), PostingSchema])),
  postingOwner: opt(userRef),
  postingHiringManager: opt(userRef),
  user: opt(userRef),
  name: opt(z.string()),
  email: opt(z.string()),
  phone: opt(z.union([z.string(), PhoneSchema])),
  company: opt(z.string()),
  links: opt(strings),
  comments: opt(z.string()),
  customQuestions: opt(z.array(z.unknown())),
  archived: opt(ArchivedStateSchema),
  requisitionForHire: opt(z.looseObject({ id: opt(z.string()), requisitionCode: opt(z.string()) })),
});
export type Application = z.infer<typeof ApplicationSchema>;

export const StageChangeSchema = z.looseObject({
  toStageId: opt(z.string()),
  toStageIndex: opt(z.number()),
  userId: opt(z.string()),
  updatedAt: opt(ms),
});

export const OpportunitySchema = z.looseObject({
  id,
  name: opt(z.string()),
  headline: opt(z.string()),
  contact: opt(z.union([z.string(), ContactSchema])),
  emails: opt(strings),
  phones: opt(z.array(PhoneSchema)),
  links: opt(strings),
  location: opt(z.string()),
  stage: opt(z.union([z.string(), StageSchema])),
  stageChanges: opt(z.array(StageChangeSchema)),
  archived: opt(ArchivedStateSchema),
  confidentiality: opt(z.string()),
  snoozedUntil: opt(ms),
  tags: opt(strings),
  sources: opt(strings),
  origin: opt(z.string()),
  sourcedBy: opt(userRef),
  owner: opt(userRef),
  followers: opt(z.array(userRef)),
  applications: opt(z.array(z.union([z.string(), ApplicationSchema]))),
  createdAt: opt(ms),
  updatedAt: opt(ms),
  lastInteractionAt: opt(ms),
  lastAdvancedAt: opt(ms),
  urls: opt(UrlsSchema),
  dataProtection: opt(z.unknown()),
  isAnonymized: opt(z.boolean()),
  opportunityLocation: opt(z.string()),
  deletedBy: opt(z.string()),
  deletedAt: opt(ms),
});
export type Opportunity = z.infer<typeof OpportunitySchema>;

export const DeletedOpportunitySchema = z.looseObject({ id, deletedAt: opt(ms), deletedBy: opt(z.string()) });
export type DeletedOpportunity = z.infer<typeof DeletedOpportunitySchema>;

export const NoteFieldSchema = z.looseObject({
  type: opt(z.string()),
  text: opt(z.string()),
  value: opt(z.string()),
  createdAt: opt(ms),
  user: opt(userRef),
  score: opt(z.number()),
  stage: opt(z.string()),
});

export const NoteSchema = z.looseObject({
  id,
  text: opt(z.string()),
  fields: opt(z.array(NoteFieldSchema)),
  user: opt(userRef),
  secret: opt(z.boolean()),
  createdAt: opt(ms),
  completedAt: opt(ms),
  deletedAt: opt(ms),
});
export type Note = z.infer<typeof NoteSchema>;

/** One feedback or form field. `value` depends on `type` (score-system, scorecard, yes-no, ...), so it stays open. */
export const FeedbackFieldSchema = z.looseObject({
  id: opt(z.string()),
  type: z.string(),
  text: opt(z.string()),
  description: opt(z.string()),
  prompt: opt(z.string()),
  required: opt(z.boolean()),
  /** Recorded live data marks the overall rating as `type: "score", overall: true` (its value is the option text). */
  overall: opt(z.boolean()),
  value: z.unknown().optional(),
  options: opt(z.array(z.looseObject({ text: opt(z.string()), optionId: opt(z.string()) }))),
  scores: opt(z.array(z.looseObject({ text: opt(z.string()), description: opt(z.string()) }))),
});
export type FeedbackField = z.infer<typeof FeedbackFieldSchema>;

/** `value` of a `scorecard` field: one rating per skill, each with an optional comment. */
export const ScorecardValueSchema = z.array(z.looseObject({ score: opt(z.number()), comment: opt(z.string()) }));

export const FeedbackSchema = z.looseObject({
  id,
  type: opt(z.string()),
  text: opt(z.string()),
  instructions: opt(z.string()),
  baseTemplateId: opt(z.string()),
  fields: opt(z.array(FeedbackFieldSchema)),
  user: opt(userRef),
  panel: opt(z.string()),
  interview: opt(z.string()),
  createdAt: opt(ms),
  updatedAt: opt(ms),
  completedAt: opt(ms),
  deletedAt: opt(ms),
});
export type Feedback = z.infer<typeof FeedbackSchema>;

export const InterviewerSchema = z.looseObject({
  id,
  email: opt(z.string()),
  name: opt(z.string()),
  feedbackTemplate: opt(z.string()),
});

export const InterviewSchema = z.looseObject({
  id,
  panel: opt(z.string()),
  subject: opt(z.string()),
  note: opt(z.string()),
  interviewers: opt(z.array(InterviewerSchema)),
  timezone: opt(z.string()),
  date: opt(ms),
  duration: opt(z.number()),
  location: opt(z.string()),
  feedbackTemplate: opt(z.string()),
  feedbackForms: opt(strings),
  feedbackReminder: opt(z.string()),
  user: opt(userRef),
  stage: opt(z.string()),
  canceledAt: opt(ms),
  postings: opt(strings),
  createdAt: opt(ms),
});
export type Interview = z.infer<typeof InterviewSchema>;

export const PanelSchema = z.looseObject({
  id,
  applications: opt(strings),
  interviews: opt(z.array(z.union([z.string(), InterviewSchema]))),
  start: opt(ms),
  end: opt(ms),
  timezone: opt(z.string()),
  note: opt(z.string()),
  externallyManaged: opt(z.boolean()),
  externalUrl: opt(z.string()),
  canceledAt: opt(ms),
  user: opt(userRef),
  stage: opt(z.string()),
  createdAt: opt(ms),
});
export type Panel = z.infer<typeof PanelSchema>;

const documentRef = z.looseObject({ fileName: opt(z.string()), uploadedAt: opt(ms), downloadUrl: opt(z.string()) });

export const OfferSchema = z.looseObject({
  id,
  createdAt: opt(ms),
  creator: opt(userRef),
  status: opt(z.string()),
  approvedAt: opt(ms),
  sentAt: opt(ms),
  fields: opt(z.array(z.looseObject({ text: opt(z.string()), identifier: opt(z.string()), value: z.unknown() }))),
  signatures: opt(z.unknown()),
  sentDocument: opt(documentRef),
  signedDocument: opt(documentRef),
});
export type Offer = z.infer<typeof OfferSchema>;

const yearMonth = z.looseObject({ year: opt(z.number()), month: opt(z.number()) });

export const ResumeFileSchema = z.looseObject({
  name: opt(z.string()),
  ext: opt(z.string()),
  downloadUrl: opt(z.string()),
  uploadedAt: opt(ms),
  status: opt(z.string()),
  size: opt(z.number()),
});

export const ResumePositionSchema = z.looseObject({
  org: opt(z.string()),
  title: opt(z.string()),
  summary: opt(z.string()),
  location: opt(z.string()),
  start: opt(yearMonth),
  end: opt(yearMonth),
});

export const ResumeSchoolSchema = z.looseObject({
  org: opt(z.string()),
  degree: opt(z.string()),
  field: opt(z.string()),
  summary: opt(z.string()),
  start: opt(yearMonth),
  end: opt(yearMonth),
});

export const ResumeSchema = z.looseObject({
  id,
  createdAt: opt(ms),
  file: opt(ResumeFileSchema),
  parsedData: opt(
    z.looseObject({ positions: opt(z.array(ResumePositionSchema)), schools: opt(z.array(ResumeSchoolSchema)) }),
  ),
});
export type Resume = z.infer<typeof ResumeSchema>;

export const LeverFileSchema = z.looseObject({
  id,
  downloadUrl: opt(z.string()),
  ext: opt(z.string()),
  name: opt(z.string()),
  uploadedAt: opt(ms),
  status: opt(z.string()),
  size: opt(z.number()),
});
export type LeverFile = z.infer<typeof LeverFileSchema>;

export const RequisitionSchema = z.looseObject({
  id,
  requisitionCode: opt(z.string()),
  name: opt(z.string()),
  status: opt(z.string()),
  backfill: opt(z.boolean()),
  headcountTotal: opt(z.union([z.number(), z.string()])),
  headcountHired: opt(z.number()),
  employmentStatus: opt(z.string()),
  hiringManager: opt(userRef),
  owner: opt(userRef),
  creator: opt(userRef),
  location: opt(z.string()),
  team: opt(z.string()),
  department: opt(z.string()),
  postings: opt(strings),
  offerIds: opt(strings),
  compensationBand: opt(
    z.looseObject({
      currency: opt(z.string()),
      interval: opt(z.string()),
      min: opt(z.number()),
      max: opt(z.number()),
    }),
  ),
  approval: opt(z.unknown()),
  internalNotes: opt(z.string()),
  timeToFillStartAt: opt(ms),
  timeToFillEndAt: opt(ms),
  closedAt: opt(ms),
  createdAt: opt(ms),
  updatedAt: opt(ms),
  customFields: opt(z.record(z.string(), z.unknown())),
});
export type Requisition = z.infer<typeof RequisitionSchema>;

export const RequisitionFieldSchema = z.looseObject({
  id,
  text: opt(z.string()),
  type: opt(z.string()),
  isRequired: opt(z.boolean()),
  subfields: opt(z.array(z.looseObject({ id, text: opt(z.string()), type: opt(z.string()) }))),
  options: opt(z.array(z.unknown())),
});
export type RequisitionField = z.infer<typeof RequisitionFieldSchema>;

/** `appliedAt`/`hiredDate` come as ms numbers in live data and as strings in the docs' example: parse both. */
const msOrText = z.union([ms, z.string()]);

/**
 * One ANONYMOUS EEO self-report (`GET /eeo/responses`, envelope `data: [...]`). Lever sends no opportunity, contact
 * or posting here, and the schema is deliberately not loose: anything else Lever might add is dropped at the
 * boundary, so an identifier can never ride along with someone's answers.
 */
export const EeoResponseSchema = z.object({
  gender: opt(z.string()),
  race: opt(z.string()),
  veteran: opt(z.string()),
  disability: opt(z.string()),
  disabilitySignatureDate: opt(msOrText),
  currentStage: opt(z.union([z.string(), StageSchema])),
  appliedAt: opt(msOrText),
  hiredDate: opt(msOrText),
  origin: opt(z.string()),
  source: opt(z.string()),
  requisitionCodes: opt(strings),
});
export type EeoResponse = z.infer<typeof EeoResponseSchema>;

/**
 * One EEO self-report WITH identifiers (`GET /eeo/responses/pii`): needs the key's "EEO responses (PII)" permission
 * (OAuth scope `eeo_responses_pii:read:admin`). `posting`, `contact` and `hiringManager` are ids unless expanded.
 */
export const EeoPiiResponseSchema = z.looseObject({
  ...EeoResponseSchema.shape,
  opportunityId: opt(z.string()),
  candidateId: opt(z.string()),
  contact: opt(z.union([z.string(), ContactSchema])),
  posting: opt(z.union([z.string(), PostingFieldsSchema])),
  hiringManager: opt(userRef),
});
export type EeoPiiResponse = z.infer<typeof EeoPiiResponseSchema>;

export const WEBHOOK_EVENTS = [
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
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

export const WebhookSchema = z.looseObject({
  id,
  url: z.string(),
  event: z.string(),
  createdAt: opt(ms),
  updatedAt: opt(ms),
  configuration: opt(
    z.looseObject({
      signatureToken: opt(z.string()),
      conditions: opt(z.looseObject({ origins: opt(strings) })),
    }),
  ),
});
export type Webhook = z.infer<typeof WebhookSchema>;

/** The JSON body Lever POSTs to a webhook URL (docs/lever-api.md §7); `data` differs per event and is re-fetched. */
export const WebhookDeliverySchema = z.looseObject({
  id: opt(z.string()),
  event: z.string(),
  triggeredAt: ms,
  token: z.string(),
  signature: opt(z.string()),
  data: z.looseObject({
    opportunityId: opt(z.string()),
    candidateId: opt(z.string()),
    contactId: opt(z.string()),
    applicationId: opt(z.string()),
    postingId: opt(z.string()),
    toStageId: opt(z.string()),
    fromStageId: opt(z.string()),
    fromArchived: opt(ArchivedStateSchema),
    toArchived: opt(ArchivedStateSchema),
  }),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

/** Lever's error body. */
export const LeverErrorBodySchema = z.looseObject({ code: opt(z.string()), message: opt(z.string()) });

/** One page of a list endpoint. Some endpoints answer a bare array (files, forms), handled by the client. */
export const ListEnvelopeSchema = z.looseObject({
  data: z.unknown(),
  hasNext: opt(z.boolean()),
  next: opt(z.string()),
});

/** `POST /opportunities/:id/notes` is documented as `{noteId}`, but some integrations read a full note back. */
export const CreatedNoteSchema = z.union([
  z.looseObject({ noteId: id }).transform((v) => ({ noteId: v.noteId })),
  NoteSchema.transform((v) => ({ noteId: v.id })),
]);
