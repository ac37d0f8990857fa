/**
 * Availability as the slot finder sees it: busy intervals in epoch milliseconds, half-open [start, end). Every
 * source (ICS feed, Google FreeBusy, Microsoft Graph getSchedule) answers with the same shape, so the slot finder
 * never knows where a calendar came from.
 */

export type Interval = { start: number; end: number };

/** 'tentative' is kept apart so a policy can decide; by default it blocks like 'busy'. */
export type BusyStatus = 'busy' | 'tentative';

export type BusyInterval = Interval & {
  status: BusyStatus;
  /** True when the event looks like an interview (counts toward the interviewer's daily and weekly caps). */
  interview?: boolean;
};

export type Availability = {
  busy: BusyInterval[];
  /** Things the recruiter should know: truncated recurrences, unknown time zones, skipped malformed events. */
  warnings: string[];
  /** When the data was read from its source (cache hits keep the original time). */
  fetchedAt: number;
};

export type AvailabilityQuery = {
  from: number;
  to: number;
  /** The interviewer's zone: floating times and all-day events are read in it. */
  timeZone: string;
};

/** One interviewer's calendar behind one interface. */
export interface AvailabilitySource {
  /** A stable description for logs and cache keys (never a token or a private ICS address). */
  readonly label: string;
  busy(q: AvailabilityQuery, signal?: AbortSignal): Promise<Availability>;
}

/** A calendar that could not be read: the message names the calendar, never a secret. */
export class AvailabilityError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'AvailabilityError';
  }
}

/** Sorts and merges overlapping or touching intervals (status and interview flag are dropped). */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = [...list].filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}
