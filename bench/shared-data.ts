import { fileURLToPath } from 'node:url';

/** A file of the team's shared data folder, which sits beside the repository (`../shared`, as in CI). */
export function sharedData(relative: string): string {
  return fileURLToPath(new URL(`../../shared/data/${relative}`, import.meta.url));
}

export const RJDB_DEV = sharedData('eval/rjdb-dev.jsonl');
