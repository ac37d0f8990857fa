import type { TestProject } from 'vitest/node';
import { pgTier, startCluster } from './cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** One throwaway cluster for the whole postgres tier; tests create their own databases in it (tests/postgres/db.ts). */
export default async function setup(project: TestProject) {
  const tier = pgTier();
  if (!tier.run) throw new Error(tier.message);
  const cluster = await startCluster(tier.bin);
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
