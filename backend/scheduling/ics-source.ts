import { DEFAULT_LIMITS, describeLocation, type FetchLimits, fetchCalendarText } from './bounded-fetch.ts';
import { parseIcsBusy } from './ics-parse.ts';
import type { Availability, AvailabilityQuery, AvailabilitySource } from './types.ts';

/** An ICS feed (the private iCal address Google Calendar and Outlook publish) or an .ics file. */
export class IcsSource implements AvailabilitySource {
  readonly label: string;

  constructor(
    private readonly location: string,
    private readonly limits: FetchLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.label = `ics:${describeLocation(location)}`;
  }

  async busy(q: AvailabilityQuery, signal?: AbortSignal): Promise<Availability> {
    const text = await fetchCalendarText(this.location, this.limits, signal);
    const fetchedAt = this.now();
    const { busy, warnings } = parseIcsBusy(text, q);
    return { busy, warnings, fetchedAt };
  }
}
