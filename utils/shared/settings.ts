import { storage } from 'wxt/utils/storage';

/** Where the companion backend listens when started with `npm start` on this machine. */
export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8787';

/** Backend origin, without a trailing slash. Versioned so a later format change can migrate it. */
export const backendUrlItem = storage.defineItem<string>('local:backendUrl', {
  fallback: DEFAULT_BACKEND_URL,
  version: 1,
});

/** The recruiter's bearer token (created with `npm run cli -- recruiters add EMAIL --role recruiter`). */
export const tokenItem = storage.defineItem<string>('local:recruiterToken', { fallback: '', version: 1 });

export type Settings = { backendUrl: string; token: string };

export async function loadSettings(): Promise<Settings> {
  const [backendUrl, token] = await Promise.all([backendUrlItem.getValue(), tokenItem.getValue()]);
  return { backendUrl, token };
}

/** A usable http(s) backend URL without a trailing slash, or null when the input is not one. */
export function normalizeBackendUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Host-permission match pattern covering a backend URL's origin, e.g. `https://fulcrum.example.com/*`. */
export function originPattern(backendUrl: string): string {
  return `${new URL(backendUrl).origin}/*`;
}

/** Loopback (any port) is granted by the manifest; any other backend needs an optional host permission. */
export function isBuiltInBackend(backendUrl: string): boolean {
  const url = new URL(backendUrl);
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
}
