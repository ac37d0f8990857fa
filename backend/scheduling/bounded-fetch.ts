import fs from 'node:fs/promises';
import { AvailabilityError } from './types.ts';

/**
 * Reads a calendar over HTTP(S) or from a file, never more than `maxBytes` and never longer than `timeoutMs`.
 * Messages name the host or file, never the full URL: a private iCal address is a secret (its path is the key).
 */

export type FetchLimits = { maxBytes: number; timeoutMs: number };

export const DEFAULT_LIMITS: FetchLimits = { maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000 };

/** What a message may say about a calendar address: the host for URLs, the base name for files. */
export function describeLocation(location: string): string {
  try {
    const u = new URL(location.replace(/^webcal:/i, 'https:'));
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.host;
  } catch {
    // not a URL: a file path
  }
  const base = location.split(/[\\/]/).pop() ?? location;
  return base.slice(0, 80);
}

export function isUrl(location: string): boolean {
  return /^(https?|webcal):\/\//i.test(location);
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number, what: string): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AvailabilityError(`The calendar at ${what} is larger than ${Math.round(maxBytes / 1024)} KB.`, false);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of an ICS feed at an http(s)/webcal URL or a file path. */
export async function fetchCalendarText(
  location: string,
  limits: FetchLimits = DEFAULT_LIMITS,
  signal?: AbortSignal,
): Promise<string> {
  const what = describeLocation(location);
  if (!isUrl(location)) {
    let stat: Awaited<ReturnType<typeof fs.stat>>;
    try {
      stat = await fs.stat(location);
    } catch {
      throw new AvailabilityError(`Cannot read the calendar file ${what}.`, false);
    }
    if (!stat.isFile()) throw new AvailabilityError(`The calendar ${what} is not a file.`, false);
    if (stat.size > limits.maxBytes) {
      throw new AvailabilityError(
        `The calendar ${what} is larger than ${Math.round(limits.maxBytes / 1024)} KB.`,
        false,
      );
    }
    return fs.readFile(location, 'utf8');
  }
  const url = location.replace(/^webcal:/i, 'https:');
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { signal: combined, headers: { accept: 'text/calendar, */*;q=0.5' }, redirect: 'follow' });
  } catch (e) {
    if (timeout.aborted)
      throw new AvailabilityError(`The calendar at ${what} did not answer within ${limits.timeoutMs} ms.`, true);
    throw new AvailabilityError(
      `Cannot reach the calendar at ${what} (${e instanceof Error ? e.name : 'error'}).`,
      true,
    );
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new AvailabilityError(
      `The calendar at ${what} answered HTTP ${res.status}.`,
      res.status >= 500 || res.status === 429,
    );
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new AvailabilityError(
      `The calendar at ${what} is larger than ${Math.round(limits.maxBytes / 1024)} KB.`,
      false,
    );
  }
  if (!res.body) return '';
  try {
    return await readCapped(res.body, limits.maxBytes, what);
  } catch (e) {
    if (e instanceof AvailabilityError) throw e;
    if (timeout.aborted)
      throw new AvailabilityError(`The calendar at ${what} did not answer within ${limits.timeoutMs} ms.`, true);
    throw new AvailabilityError(`Reading the calendar at ${what} failed.`, true);
  }
}

/** POSTs JSON with a bearer token under the same limits; returns status and parsed body (null when not JSON). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  limits: FetchLimits,
  what: string,
  signal?: AbortSignal,
): Promise<{ status: number; json: unknown }> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      signal: combined,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  } catch {
    if (timeout.aborted) throw new AvailabilityError(`${what} did not answer within ${limits.timeoutMs} ms.`, true);
    throw new AvailabilityError(`Cannot reach ${what}.`, true);
  }
  const text = res.body ? await readCapped(res.body, limits.maxBytes, what) : '';
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json };
}
