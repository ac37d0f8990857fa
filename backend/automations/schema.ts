import type BetterSqlite3 from 'better-sqlite3';

/**
 * Automation state that has no home in the shared schema, created on first use (like rediscovery's tables) so this
 * feature needs no edit to the shared migrations:
 * - automation_watchers: who in Lever owns or follows an opportunity (from the last re-read), for the inbox filter,
 *   plus the candidate's name and posting title so the inbox needs no Lever call;
 * - automation_followups: the follow-up date of an outreach draft and, once marked sent, its schedule/cancellation;
 * - automation_polls: the one live feedback poll per opportunity (a newer token supersedes an older chain).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS automation_watchers (
  opportunity_id TEXT PRIMARY KEY,
  user_ids TEXT NOT NULL,
  candidate_name TEXT NOT NULL,
  posting_id TEXT,
  posting_title TEXT,
  lever_url TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS automation_followups (
  proposal_id TEXT PRIMARY KEY,
  opportunity_id TEXT NOT NULL,
  follow_up_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'cancelled', 'proposed')),
  stage_at_send TEXT,
  sent_at INTEGER,
  run_at INTEGER,
  cancel_reason TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS automation_followups_opp ON automation_followups (opportunity_id, status);
CREATE TABLE IF NOT EXISTS automation_polls (
  opportunity_id TEXT PRIMARY KEY,
  stage_id TEXT NOT NULL,
  token TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);`;

const ready = new WeakSet<BetterSqlite3.Database>();

export function ensureAutomationSchema(sqlite: BetterSqlite3.Database): void {
  if (ready.has(sqlite)) return;
  sqlite.exec(DDL);
  ready.add(sqlite);
}
