import { newestResumeText } from '../candidates/resume-text.ts';
import { collect, type LeverClient } from '../lever/index.ts';
import { UnreadableResumeError } from '../sandbox/errors.ts';
import type { SyncedOpportunity } from './index-store.ts';
import { feedbackStats, noteTexts } from './normalize.ts';

/**
 * The per-opportunity reads a sync makes after listing: resume (the downloaded PDF, DOCX or text file, else parsed
 * data), notes and interview feedback. Each is one or two Lever requests, so these dominate a first sync.
 */
export type DetailOptions = { resumeText?: boolean; notes?: boolean; feedback?: boolean };

export type Details = { resumeText: string; feedback: SyncedOpportunity['feedback']; notes: string[] | null };

export async function fetchDetails(lever: LeverClient, opportunityId: string, o: DetailOptions = {}): Promise<Details> {
  // A file Fulcrum will not read (a zip bomb, thousands of pages, over the sandbox's budget) leaves the person in the
  // pool with Lever's parsed data, rather than stopping the sync.
  const resumeText = await newestResumeText(lever, opportunityId, { download: o.resumeText !== false }).catch((e) => {
    if (e instanceof UnreadableResumeError) return newestResumeText(lever, opportunityId, { download: false });
    throw e;
  });
  const feedback = o.feedback === false ? null : feedbackStats(await collect(lever.listFeedback(opportunityId)));
  const notes = o.notes === false ? null : noteTexts(await collect(lever.listNotes(opportunityId)));
  return { resumeText, feedback, notes };
}
