import { resumeFromParsedData } from '../candidates/load-candidate.ts';
import { collect, type LeverClient } from '../lever/index.ts';
import type { SyncedOpportunity } from './index-store.ts';
import { feedbackStats, noteTexts } from './normalize.ts';

/**
 * The per-opportunity reads a sync makes after listing: resume (parsed data, and the downloaded file when it is
 * text), notes and interview feedback. Each is one or two Lever requests, so these dominate a first sync.
 */
export type DetailOptions = { resumeText?: boolean; notes?: boolean; feedback?: boolean };

export type Details = { resumeText: string; feedback: SyncedOpportunity['feedback']; notes: string[] | null };

function looksLikeText(buf: Buffer): boolean {
  if (buf.length === 0) return false;
  const head = buf.subarray(0, 1024);
  const magic = head.subarray(0, 4).toString('latin1');
  return !magic.startsWith('%PDF') && !magic.startsWith('PK') && !head.includes(0);
}

export async function fetchDetails(lever: LeverClient, opportunityId: string, o: DetailOptions = {}): Promise<Details> {
  const resumes = await collect(lever.listResumes(opportunityId));
  resumes.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  const newest = resumes[0];
  let resumeText = newest ? resumeFromParsedData(newest) : '';
  if (newest && o.resumeText !== false) {
    try {
      const buf = await lever.downloadResume(opportunityId, newest.id);
      if (looksLikeText(buf)) resumeText = buf.toString('utf8');
    } catch {
      // A file Lever could not process (422) still has parsedData, which is already in resumeText.
    }
  }
  const feedback = o.feedback === false ? null : feedbackStats(await collect(lever.listFeedback(opportunityId)));
  const notes = o.notes === false ? null : noteTexts(await collect(lever.listNotes(opportunityId)));
  return { resumeText, feedback, notes };
}
