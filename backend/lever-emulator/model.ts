/**
 * The emulator's in-memory data model. Records are kept close to Lever's wire shapes (see serialize.ts for the
 * few fields that are derived on the way out). Times are epoch ms.
 */

export type EmuUser = {
  id: string;
  name: string;
  username: string;
  email: string;
  accessRole: 'super admin' | 'admin' | 'team member' | 'limited team member' | 'interviewer';
  jobTitle: string;
  createdAt: number;
  deactivatedAt: number | null;
};

export type EmuStage = { id: string; text: string };
export type EmuArchiveReason = { id: string; text: string; status: 'active'; type: 'hired' | 'non-hired' };

export type EmuPosting = {
  id: string;
  text: string;
  state: 'published' | 'internal' | 'closed' | 'draft';
  distributionChannels: string[];
  confidentiality: 'non-confidential' | 'confidential';
  user: string;
  owner: string;
  hiringManager: string;
  followers: string[];
  categories: { team: string; department: string; location: string; allLocations: string[]; commitment: string };
  content: {
    description: string;
    descriptionHtml: string;
    lists: Array<{ text: string; content: string }>;
    closing: string;
    closingHtml: string;
  };
  tags: string[];
  country: string;
  requisitionCodes: string[];
  salaryRange?: { min: number; max: number; currency: string; interval: string };
  salaryDescription?: string;
  workplaceType?: 'onsite' | 'remote' | 'hybrid' | 'unspecified';
  createdAt: number;
  updatedAt: number;
  /** Skill vocabulary used to generate candidates for this posting. */
  family: string;
};

export type EmuArchived = { reason: string; archivedAt: number } | null;

export type EmuOpportunity = {
  id: string;
  contact: string;
  name: string;
  headline: string;
  emails: string[];
  phones: Array<{ type: string; value: string }>;
  links: string[];
  location: string;
  stage: string;
  stageChanges: Array<{ toStageId: string; toStageIndex: number; userId: string; updatedAt: number }>;
  archived: EmuArchived;
  confidentiality: 'non-confidential' | 'confidential';
  tags: string[];
  sources: string[];
  origin: 'agency' | 'applied' | 'internal' | 'referred' | 'sourced' | 'university';
  sourcedBy: string | null;
  owner: string;
  followers: string[];
  applicationId: string;
  postingId: string;
  createdAt: number;
  updatedAt: number;
  lastInteractionAt: number;
  lastAdvancedAt: number;
  snoozedUntil: number | null;
  /** Position in the seed (-1 for opportunities created while the emulator runs). */
  seedIndex: number;
  deletedAt?: number;
  deletedBy?: string;
};

export type EmuApplication = {
  id: string;
  opportunityId: string;
  createdAt: number;
  type: 'posting' | 'user' | 'referral';
  posting: string;
  postingOwner: string;
  postingHiringManager: string;
  user: string | null;
  name: string;
  email: string;
  phone: { type: string; value: string } | null;
  company: string | null;
  links: string[];
  comments: string | null;
};

export type EmuNote = {
  id: string;
  opportunityId: string;
  text: 'Note';
  user: string | null;
  secret: boolean;
  createdAt: number;
  completedAt: number;
  fields: Array<{
    type: 'note';
    text: 'Note';
    value: string;
    createdAt: number;
    user: string | null;
    score: number | null;
  }>;
  /** Lever only lets the API edit or delete notes the API created. */
  createdVia: 'api' | 'ui';
};

export type EmuFeedbackField = {
  id: string;
  type: string;
  text: string;
  required: boolean;
  value: unknown;
  description?: string;
  /** The question as the interviewer sees it, for text-like fields. */
  prompt?: string | null;
  /** Choices of score-system, dropdown and multiple-* fields (the value is the chosen option's TEXT). */
  options?: Array<{ text: string; optionId: string }> | null;
  /** Recorded live data: the overall rating as `type: "score"` with `overall: true`. */
  overall?: boolean;
};

export type EmuFeedback = {
  id: string;
  opportunityId: string;
  type: 'interview';
  text: string;
  instructions: string;
  baseTemplateId: string;
  fields: EmuFeedbackField[];
  user: string;
  panel: string | null;
  interview: string | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number;
};

export type EmuInterview = {
  id: string;
  opportunityId: string;
  panel: string;
  subject: string;
  note: string;
  interviewers: Array<{ id: string; email: string; name: string; feedbackTemplate: string | null }>;
  timezone: string;
  date: number;
  duration: number;
  location: string;
  feedbackTemplate: string | null;
  feedbackForms: string[];
  /** once | daily | frequently | none (serialized as 'once' when unset). */
  feedbackReminder?: string;
  gcalEventUrl?: string | null;
  user: string;
  stage: string;
  canceledAt: number | null;
  postings: string[];
  createdAt: number;
};

export type EmuPanel = {
  id: string;
  opportunityId: string;
  applications: string[];
  interviews: string[];
  start: number;
  end: number;
  timezone: string;
  note: string;
  externallyManaged: boolean;
  externalUrl: string | null;
  canceledAt: number | null;
  user: string;
  stage: string;
  createdAt: number;
};

export type EmuOffer = {
  id: string;
  opportunityId: string;
  createdAt: number;
  creator: string;
  status: string;
  approvedAt: number | null;
  sentAt: number | null;
  fields: Array<{ text: string; identifier: string; value: unknown }>;
};

export type YearMonth = { year: number; month: number };

export type EmuProfile = {
  summary: string;
  skills: string[];
  years: number;
  /** Hidden prompt-injection text planted in a few resumes, for the injection-detection features. */
  hiddenText?: string;
};

export type EmuResume = {
  id: string;
  opportunityId: string;
  createdAt: number;
  fileName: string;
  parsedData: {
    positions: Array<{
      org: string;
      title: string;
      summary: string;
      location: string;
      start: YearMonth;
      end: YearMonth | null;
    }>;
    schools: Array<{ org: string; degree: string; field: string; start: YearMonth; end: YearMonth }>;
  };
  profile: EmuProfile;
};

export type EmuFile = {
  id: string;
  opportunityId: string;
  name: string;
  ext: string;
  contentType: string;
  content: Buffer;
  uploadedAt: number;
};

export type EmuEeo = {
  opportunityId: string;
  contact: string;
  posting: string;
  gender: string;
  race: string;
  veteran: string;
  disability: string;
  disabilitySignatureDate?: number | null;
  currentStage: string;
  appliedAt: number;
  hiredDate: number | null;
  origin: string;
  source: string;
  requisitionCodes: string[];
};

export type EmuRequisition = {
  id: string;
  requisitionCode: string;
  name: string;
  status: 'open' | 'onHold' | 'closed' | 'draft';
  backfill: boolean;
  headcountTotal: number;
  headcountHired: number;
  employmentStatus: string;
  hiringManager: string;
  owner: string;
  creator: string;
  location: string;
  team: string;
  department: string;
  postings: string[];
  offerIds: string[];
  compensationBand: { currency: string; interval: string; min: number; max: number } | null;
  createdAt: number;
  updatedAt: number;
  customFields: Record<string, unknown>;
  /** Serialized with Lever's defaults when unset (serialize.ts serializeRequisition). */
  confidentiality?: 'non-confidential' | 'confidential';
  headcountInfinite?: boolean;
  internalNotes?: string;
  approval?: { steps: unknown[] } | null;
  timeToFillStartAt?: number | null;
  timeToFillEndAt?: number | null;
  closedAt?: number | null;
};

export type EmuWebhook = {
  id: string;
  url: string;
  event: string;
  createdAt: number;
  updatedAt: number;
  signatureToken: string;
  origins: string[] | null;
};

/** Everything hanging off one seeded opportunity. */
export type CandidateRecords = {
  opportunity: EmuOpportunity;
  application: EmuApplication;
  resume: EmuResume;
  notes: EmuNote[];
  feedback: EmuFeedback[];
  interviews: EmuInterview[];
  panels: EmuPanel[];
  offers: EmuOffer[];
  eeo: EmuEeo[];
};

export type SeedData = {
  seed: number;
  users: EmuUser[];
  stages: EmuStage[];
  archiveReasons: EmuArchiveReason[];
  postings: EmuPosting[];
  requisitions: EmuRequisition[];
  /** Oldest first (list order); `seedIndex` of each is its position here. */
  opportunities: EmuOpportunity[];
  /** The open offers (Offer stage, not archived) and which known inconsistency each carries (seed.ts planOffers). */
  offerScenarios: Array<{
    opportunityId: string;
    seedIndex: number;
    scenario: 'consistent' | 'above-band' | 'below-band' | 'currency-mismatch' | 'weekend-start';
  }>;
  /** Rebuilds, deterministically, all records of the seeded opportunity at `index`. */
  candidate(index: number): CandidateRecords;
};
