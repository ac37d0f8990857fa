import { describeGovernanceContract } from '../backend/helpers/governance-contract.ts';
import { freshStore } from './db.ts';

// A fresh database per test: the contract's tests each start from an empty store, as on SQLite.
describeGovernanceContract('PostgreSQL', freshStore);
