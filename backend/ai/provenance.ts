import { createHash } from 'node:crypto';
import type { Provenance } from '../../utils/contracts/ai.ts';
import { LOCAL_ENGINE } from './score-candidate.ts';

/** Stable sha256 of any JSON-able input: object keys are sorted so field order never changes the cache key. */
export function hashInput(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

export function localProvenance(opts: {
  promptVersion: string;
  inputHash: string;
  startedAt: number;
  now: () => Date;
}): Provenance {
  return {
    ...LOCAL_ENGINE,
    promptVersion: opts.promptVersion,
    inputHash: opts.inputHash,
    latencyMs: Math.max(0, performance.now() - opts.startedAt),
    createdAt: opts.now().toISOString(),
  };
}
