import type { Recruiter } from '../ai/types.ts';
import type { LeverClient } from '../lever/index.ts';

/**
 * Who signs a recruiter's drafts: the name and job title of their Lever user (Lever users have `name` and
 * `jobTitle`; a recruiter maps to a Lever user by an exact e-mail match, as in createLeverUserResolver), else the
 * name stored with their Fulcrum token. Never an e-mail address as a name: without a real name, `name` is empty and
 * the draft signs for the hiring team. Cached per Lever client for ten minutes (misses too); a Lever error is not
 * cached and falls back to the stored name.
 */

const TTL_MS = 10 * 60 * 1000;
type Entry = { at: number; name: string | null; title: string | null };
const caches = new WeakMap<object, Map<string, Entry>>();

const realName = (name: string | null | undefined, email: string) => {
  const n = name?.trim() ?? '';
  return n && !n.includes('@') && n.toLowerCase() !== email.trim().toLowerCase() ? n : null;
};

export async function recruiterIdentity(
  lever: Pick<LeverClient, 'listUsers'>,
  who: { email: string; name?: string | null },
  now: () => number = Date.now,
): Promise<Recruiter> {
  const email = who.email.trim();
  const key = email.toLowerCase();
  let cache = caches.get(lever);
  if (!cache) {
    cache = new Map();
    caches.set(lever, cache);
  }
  let entry = cache.get(key);
  if (!entry || now() - entry.at > TTL_MS) {
    try {
      entry = { at: now(), name: null, title: null };
      for await (const u of lever.listUsers({ email })) {
        if (u.email?.toLowerCase() === key && !u.deactivatedAt) {
          entry = { at: now(), name: realName(u.name, email), title: u.jobTitle?.trim() || null };
          break;
        }
      }
      cache.set(key, entry);
    } catch {
      entry = { at: 0, name: null, title: null };
    }
  }
  return { name: entry.name ?? realName(who.name, email) ?? '', email, title: entry.title };
}
