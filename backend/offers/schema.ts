import type { Generated } from 'kysely';
import type { EpochMs, JsonText } from '../store/schema.ts';

/**
 * The offers tables (migration 0006_offers), added to the store's Database type by declaration merging so the
 * shared schema file stays untouched. JSON columns are parsed with zod on read (offers/repo.ts).
 */
export interface OfferTemplatesTable {
  id: string;
  name: string;
  /** The template as the admin gave it (front matter included). */
  source: string;
  created_by: string;
  created_at: EpochMs;
  archived_at: EpochMs | null;
}

export interface OfferChainsTable {
  /** A Lever team name, or '*' for every team without its own chain. */
  team: string;
  steps: JsonText;
  updated_by: string;
  updated_at: EpochMs;
}

export type OfferLetterStatus = 'in-approval' | 'approved' | 'filed';

export interface OfferLettersTable {
  id: string;
  opportunity_id: string;
  team: string | null;
  template_id: string | null;
  /** The template source the letter was drafted from, so later checks use the same template. */
  template_source: string;
  /** The approval chain as it was when the letter was drafted. */
  chain: JsonText;
  status: OfferLetterStatus;
  current_version: number;
  proposal_id: string | null;
  created_by: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface OfferLetterVersionsTable {
  letter_id: string;
  version: number;
  text: string;
  fields: JsonText;
  checks: JsonText;
  justification: string | null;
  provenance: JsonText | null;
  created_by: string;
  created_at: EpochMs;
}

export interface OfferDecisionsTable {
  id: Generated<number>;
  letter_id: string;
  version: number;
  step: number;
  actor: string;
  decision: 'approve' | 'request-changes';
  comment: string | null;
  at: EpochMs;
}

export interface OfferOverridesTable {
  letter_id: string;
  version: number;
  check_name: string;
  reason: string;
  actor: string;
  at: EpochMs;
}

export interface HrisHandoffsTable {
  opportunity_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  payload_hash: string | null;
  delivered_at: EpochMs | null;
  updated_at: EpochMs;
}

/** An admin's non-working day for the start-date check (migration 0008_offer_holidays, offers/holidays.ts). */
export interface OfferHolidaysTable {
  /** YYYY-MM-DD. */
  day: string;
  label: string | null;
  updated_by: string;
  updated_at: EpochMs;
}

declare module '../store/schema.ts' {
  interface Database {
    offer_templates: OfferTemplatesTable;
    offer_chains: OfferChainsTable;
    offer_letters: OfferLettersTable;
    offer_letter_versions: OfferLetterVersionsTable;
    offer_decisions: OfferDecisionsTable;
    offer_overrides: OfferOverridesTable;
    hris_handoffs: HrisHandoffsTable;
    offer_holidays: OfferHolidaysTable;
  }
}
