/**
 * The DDL that backend/automations/schema.ts and backend/rediscovery/schema.ts ran on first use until issue 17 moved
 * the schema into numbered migrations, verbatim as of 37209ea. A deployment from before then has these objects, made
 * by this text, next to migrations 0001-0008: the upgrade test builds such a database and opens it.
 */
export const LEGACY_AUTOMATION_DDL = `
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

export const LEGACY_REDISCOVERY_DDL = `
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

-- vector: little-endian float32, unit length; NULL when the person's text was refused (PII leak check): such a
-- row is retried only once the person changes. stale: the person's text or name changed since it was embedded.
-- gen: the rd_vector_state.gen that wrote it, so a cached index loads only what is newer.
CREATE TABLE IF NOT EXISTS rd_vector (
  rid INTEGER PRIMARY KEY,
  model TEXT NOT NULL,
  dims INTEGER NOT NULL,
  text_hash TEXT NOT NULL,
  vector BLOB,
  stale INTEGER NOT NULL DEFAULT 0,
  gen INTEGER NOT NULL,
  embedded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rd_vector_model_gen ON rd_vector(model, gen);
CREATE INDEX IF NOT EXISTS rd_vector_stale ON rd_vector(model) WHERE stale = 1;
CREATE INDEX IF NOT EXISTS rd_vector_refused ON rd_vector(model) WHERE vector IS NULL;

CREATE TABLE IF NOT EXISTS rd_vector_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  gen INTEGER NOT NULL DEFAULT 0,
  deletions INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'never',
  model TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  heartbeat_at INTEGER,
  error TEXT
);
INSERT OR IGNORE INTO rd_vector_state (id) VALUES (1);

CREATE TABLE IF NOT EXISTS rd_query_vector (
  hash TEXT PRIMARY KEY,
  vector BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TRIGGER IF NOT EXISTS rd_person_vector_ad AFTER DELETE ON rd_person BEGIN
  DELETE FROM rd_vector WHERE rid = old.rid;
END;
CREATE TRIGGER IF NOT EXISTS rd_vector_ad AFTER DELETE ON rd_vector BEGIN
  UPDATE rd_vector_state SET deletions = deletions + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS rd_person_vector_doc AFTER UPDATE OF doc ON rd_person BEGIN
  UPDATE rd_vector SET stale = 1 WHERE rid = new.rid AND stale = 0;
END;
-- Redaction depends on the name and emails: a change there may change the text that is sent.
CREATE TRIGGER IF NOT EXISTS rd_person_vector_pii AFTER UPDATE OF summary ON rd_person
WHEN json_extract(old.summary, '$.name') IS NOT json_extract(new.summary, '$.name')
  OR json_extract(old.summary, '$.emails') IS NOT json_extract(new.summary, '$.emails')
  OR json_extract(old.summary, '$.phones') IS NOT json_extract(new.summary, '$.phones')
BEGIN
  UPDATE rd_vector SET stale = 1 WHERE rid = new.rid AND stale = 0;
END;
`;

/** The last migration before the schema moved: a pre-issue-17 database has these applied. */
export const LAST_MIGRATION_BEFORE_MOVE = '0008_offer_holidays';

/** The tables, indexes and triggers that backend/automations/schema.ts and backend/rediscovery/schema.ts created until issue 17. */
export const ENSURE_TABLES = [
  'automation_followups',
  'automation_polls',
  'automation_watchers',
  'rd_fts',
  'rd_fts_config',
  'rd_fts_data',
  'rd_fts_docsize',
  'rd_fts_idx',
  'rd_opportunity',
  'rd_outreach',
  'rd_person',
  'rd_posting',
  'rd_query_vector',
  'rd_ref',
  'rd_result',
  'rd_skill',
  'rd_sync_seen',
  'rd_sync_state',
  'rd_vector',
  'rd_vector_state',
];
export const ENSURE_INDEXES = [
  'automation_followups_opp',
  'rd_opportunity_contact',
  'rd_opportunity_pending',
  'rd_person_last_contact',
  'rd_skill_rid',
  'rd_vector_model_gen',
  'rd_vector_refused',
  'rd_vector_stale',
];
export const ENSURE_TRIGGERS = [
  'rd_person_ad',
  'rd_person_ai',
  'rd_person_au',
  'rd_person_vector_ad',
  'rd_person_vector_doc',
  'rd_person_vector_pii',
  'rd_vector_ad',
];
