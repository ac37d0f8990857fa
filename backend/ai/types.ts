import type {
  FeedbackSynthesis,
  InterviewQuestions,
  MatchResult,
  OutreachDraft,
  OutreachRequest,
  Rubric,
  TextTruncation,
} from '../../utils/contracts/ai.ts';

/**
 * What the AI capabilities take: plain, provider-neutral views of Lever data. The backend builds them from Lever
 * objects (it re-reads Lever by id; it never trusts the extension's copy). EEO data is never part of these.
 */
export type PostingInput = {
  id: string;
  title: string;
  team: string | null;
  location: string | null;
  /** Full description as plain text (description, lists, closing). */
  text: string;
  /** Items of the posting's requirement lists ("Requirements", "What you'll bring", ...). */
  requirements: string[];
  /** Items of "Nice to have" / "Bonus" lists. */
  niceToHave: string[];
};

/** The candidate as known to Lever. Name, emails, phones and links are PII: redacted before any LLM call. */
export type CandidateInput = {
  opportunityId: string;
  name: string;
  emails: string[];
  phones: string[];
  links: string[];
  location: string | null;
  headline: string | null;
  /** Plain text of the resume (downloaded file text, or assembled from parsedData). */
  resumeText: string;
  /** Cover letter / application comments. */
  applicationText?: string;
  /** What was cut from resumeText / applicationText to keep them within bounds (candidates/bound-text.ts). */
  truncated?: TextTruncation[];
  /** Earlier applications of the same person, for re-engagement drafts. */
  previousApplications?: Array<{
    postingTitle: string;
    stageReached: string | null;
    archiveReason: string | null;
    date: string;
  }>;
};

export type FeedbackInput = {
  id: string;
  interviewer: string;
  createdAt: number;
  /** The score-system field ("4 - Strong Hire" ...), when the form has one. */
  overall: { label: string; value: number } | null;
  fields: Array<{ label: string; type: string; value: string | number | null; comment?: string }>;
};

/** Who signs a draft: the Fulcrum recruiter, with the name and job title of their Lever user when known. */
export type Recruiter = { name: string; email: string; title?: string | null };

export type AiEngineInfo = { provider: 'local' | 'openai'; model: string };

/** The capabilities the backend routes, jobs and CLI call. Two implementations: local engine and OpenAI-compatible. */
export interface AiEngine {
  info(): AiEngineInfo;
  scoreCandidate(posting: PostingInput, candidate: CandidateInput, opts?: { rubric?: Rubric }): Promise<MatchResult>;
  draftOutreach(
    posting: PostingInput,
    candidate: CandidateInput,
    match: MatchResult,
    request: OutreachRequest,
    recruiter: Recruiter,
  ): Promise<OutreachDraft>;
  generateQuestions(
    posting: PostingInput,
    candidate: CandidateInput,
    match: MatchResult,
    stage: string,
  ): Promise<InterviewQuestions>;
  synthesizeFeedback(
    posting: PostingInput,
    feedback: FeedbackInput[],
    opts?: { rubric?: Rubric },
  ): Promise<FeedbackSynthesis>;
  /** Scores many candidates for one posting, fast; highest first. */
  rank(
    posting: PostingInput,
    candidates: Array<{ id: string; text: string }>,
  ): Promise<Array<{ candidateId: string; score: number }>>;
}
