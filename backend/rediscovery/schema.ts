import type BetterSqlite3 from 'better-sqlite3';

/**
 * Rediscovery's own tables, created idempotently next to the store's migrations (which stay untouched):
 * - rd_opportunity: one row per Lever opportunity as last synced (the unit Lever gives us);
 * - rd_person: one row per contact, rebuilt from its opportunities (the unit a recruiter rediscovers);
 * - rd_fts: FTS5 keyword index over rd_person.doc, external-content so the text is stored once;
 * - rd_skill: contact → skill ids of the local engine's vocabulary;
 * - rd_sync_state / rd_sync_seen: the resumable sync checkpoint; rd_posting / rd_result: the posting poller;
 * - rd_outreach: drafted re-engagement emails and their proposals.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS rd_opportunity (
  opportunity_id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  updated_at INTEGER,
  data TEXT NOT NULL,
  resume_text TEXT,
  details_at INTEGER,
  needs_details INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS rd_opportunity_contact ON rd_opportunity(contact_id);
CREATE INDEX IF NOT EXISTS rd_opportunity_pending ON rd_opportunity(needs_details) WHERE needs_details = 1;

CREATE TABLE IF NOT EXISTS rd_person (
  rid INTEGER PRIMARY KEY,
  contact_id TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL,
  summary TEXT NOT NULL,
  best_stage_index INTEGER,
  last_contact_at INTEGER,
  location TEXT,
  updated_at INTEGER NOT NULL
);

CREATE VIRTUAL TABLE IF NOT EXISTS rd_fts USING fts5(doc, content='rd_person', content_rowid='rid', tokenize='porter unicode61');
CREATE TRIGGER IF NOT EXISTS rd_person_ai AFTER INSERT ON rd_person BEGIN
  INSERT INTO rd_fts(rowid, doc) VALUES (new.rid, new.doc);
END;
CREATE TRIGGER IF NOT EXISTS rd_person_ad AFTER DELETE ON rd_person BEGIN
  INSERT INTO rd_fts(rd_fts, rowid, doc) VALUES ('delete', old.rid, old.doc);
END;
CREATE TRIGGER IF NOT EXISTS rd_person_au AFTER UPDATE OF doc ON rd_person BEGIN
  INSERT INTO rd_fts(rd_fts, rowid, doc) VALUES ('delete', old.rid, old.doc);
  INSERT INTO rd_fts(rowid, doc) VALUES (new.rid, new.doc);
END;

CREATE INDEX IF NOT EXISTS rd_person_last_contact ON rd_person(last_contact_at);

CREATE TABLE IF NOT EXISTS rd_skill (
  skill_id TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (skill_id, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rd_skill_rid ON rd_skill(rid);

CREATE TABLE IF NOT EXISTS rd_sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  status TEXT NOT NULL,
  phase TEXT NOT NULL,
  mode TEXT,
  run_id TEXT,
  since INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  listed INTEGER NOT NULL DEFAULT 0,
  details_done INTEGER NOT NULL DEFAULT 0,
  details_total INTEGER,
  requests INTEGER NOT NULL DEFAULT 0,
  rate_limited INTEGER NOT NULL DEFAULT 0,
  high_water_mark INTEGER,
  run_max_updated_at INTEGER,
  heartbeat_at INTEGER,
  detail_errors INTEGER NOT NULL DEFAULT 0,
  error TEXT
);

CREATE TABLE IF NOT EXISTS rd_sync_seen (
  run_id TEXT NOT NULL,
  opportunity_id TEXT NOT NULL,
  PRIMARY KEY (run_id, opportunity_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rd_ref (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rd_posting (
  posting_id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  updated_at INTEGER,
  data TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  rediscovered_at INTEGER
);

CREATE TABLE IF NOT EXISTS rd_result (
  posting_id TEXT PRIMARY KEY,
  response TEXT NOT NULL,
  computed_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS rd_outreach (
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  opportunity_id TEXT NOT NULL,
  posting_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  tag_proposal_id TEXT NOT NULL,
  stage_proposal_id TEXT,
  sent_at INTEGER,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`;

const done = new WeakSet<BetterSqlite3.Database>();

/** Creates rediscovery's tables if missing. Cheap to call on every entry point. */
export function ensureRediscoverySchema(sqlite: BetterSqlite3.Database): void {
  if (done.has(sqlite)) return;
  sqlite.exec(DDL);
  done.add(sqlite);
}
