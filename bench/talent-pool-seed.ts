import type { PostingInput } from '../backend/ai/types.ts';
import { toPostingInput } from '../backend/candidates/load-candidate.ts';
import { FeedbackSchema, OpportunitySchema, PostingSchema } from '../backend/lever/index.ts';
import { renderResumeText } from '../backend/lever-emulator/resume-text.ts';
import { publicRecord, serializeOpportunity, serializePosting } from '../backend/lever-emulator/serialize.ts';
import { EmulatorStore } from '../backend/lever-emulator/store.ts';
import type { IndexItem } from '../backend/rediscovery/index-store.ts';
import { feedbackStats, normalizeOpportunity, type RefData } from '../backend/rediscovery/normalize.ts';

const UI = 'http://127.0.0.1';

/**
 * The emulator's seeded talent pool of `profiles` opportunities as the index takes it (what a sync would have
 * normalized, with feedback stats and resume text), in batches, plus its reference data and postings as rediscovery
 * queries. Shared by the PostgreSQL rediscovery benches (postgres.bench.ts, pg-rediscovery-profile.ts).
 */
export function seedTalentPool(profiles: number): {
  ref: RefData;
  postings: PostingInput[];
  batches(size: number): Generator<IndexItem[]>;
} {
  const emu = new EmulatorStore({ opportunities: profiles });
  const ref: RefData = {
    stages: emu.seed.stages,
    archiveReasons: emu.seed.archiveReasons,
    postingTitles: new Map(emu.seed.postings.map((p) => [p.id, p.text])),
  };
  const postings = emu.seed.postings.map((p) => toPostingInput(PostingSchema.parse(serializePosting(p, UI))));
  const expand = new Set(['applications']);
  function* batches(size: number): Generator<IndexItem[]> {
    let batch: IndexItem[] = [];
    for (const o of emu.opportunities) {
      const r = emu.records(o);
      const rec = normalizeOpportunity(
        OpportunitySchema.parse(serializeOpportunity(o, emu, UI, expand, new Set())),
        ref,
      );
      rec.feedback = feedbackStats(r.feedback.map((f) => FeedbackSchema.parse(publicRecord(f))));
      batch.push({ opportunity: rec, resumeText: renderResumeText(o, r.resume) });
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { ref, postings, batches };
}
