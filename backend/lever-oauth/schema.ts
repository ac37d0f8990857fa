import type { EpochMs } from '../store/schema.ts';

/**
 * The Lever OAuth tables (migration 0007_lever_oauth), added to the store's Database type by declaration merging
 * like the offers tables (offers/schema.ts), so the shared schema file stays untouched.
 */
export interface LeverOAuthConnectionsTable {
  account: string;
  /** The tokens as JSON, sealed with FULCRUM_SECRET_KEY (secret-box.ts). */
  ciphertext: string;
  scope: string | null;
  connected_by: string | null;
  connected_at: EpochMs;
  updated_at: EpochMs;
  version: number;
  /** The refresh lease (token-store.ts withRefreshLock): who holds it and until when. */
  lease_owner: string | null;
  lease_until: EpochMs | null;
}

export interface LeverOAuthStatesTable {
  /** SHA-256 (hex) of the state; the state itself is never stored. */
  state_hash: string;
  created_by: string;
  redirect_uri: string;
  created_at: EpochMs;
  expires_at: EpochMs;
  used_at: EpochMs | null;
}

declare module '../store/schema.ts' {
  interface Database {
    lever_oauth_connections: LeverOAuthConnectionsTable;
    lever_oauth_states: LeverOAuthStatesTable;
  }
}
