import { parseClock } from './tz.ts';

/** A mistake in what the user typed: the CLI prints the message and exits 2. */
export class ArgError extends Error {}

/** "09:00-17:00" → its two clock times (an end before the start means the hours run past midnight). */
export function parseHours(v: string): { start: string; end: string } {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(v.trim());
  if (!m || parseClock(m[1] as string) === null || parseClock(m[2] as string) === null || m[1] === m[2]) {
    throw new ArgError(`--hours takes HH:MM-HH:MM, e.g. 09:00-17:00; got "${v}".`);
  }
  return { start: m[1] as string, end: m[2] as string };
}
