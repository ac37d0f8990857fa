import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { isLoopbackHost } from '../config.ts';

/**
 * DNS rebinding defence: a web page on evil.example can point its own name at 127.0.0.1 and make the browser send
 * it requests for this backend, but the browser then sends `Host: evil.example`. So a request is answered only when
 * its Host names this backend: a loopback name (localhost), an IP address (a page cannot make the browser send
 * someone else's IP as Host without the request being to that IP's own origin, which the same-origin policy
 * protects; so load-balancer health checks by IP work too), the configured HOST, PUBLIC_URL's host, or a name in
 * ALLOWED_HOSTS. The port is not compared: proxies remap it, and rebinding is about the name.
 */
export type HostPolicy = { names: ReadonlySet<string> };

/** Bare host name of a Host header value: lower-cased, port and IPv6 brackets removed. */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export function hostPolicy(opts: { host?: string; publicUrl?: string; allowedHosts?: string }): HostPolicy {
  const names = new Set<string>();
  // An address (127.0.0.1, 0.0.0.0, ::) needs no entry: every IP is accepted anyway.
  if (opts.host && isIP(opts.host) === 0) names.add(opts.host.trim().toLowerCase());
  if (opts.publicUrl) names.add(new URL(opts.publicUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase());
  for (const h of (opts.allowedHosts ?? '').split(',')) if (h.trim()) names.add(hostnameOf(h));
  return { names };
}

export function hostAllowed(host: string | undefined, policy: HostPolicy): boolean {
  if (!host) return false;
  const name = hostnameOf(host);
  return isIP(name) !== 0 || isLoopbackHost(name) || policy.names.has(name);
}

export function misdirectedMessage(host: string | undefined, what: string): string {
  return host
    ? `${what} does not answer to the host name "${hostnameOf(host).slice(0, 100)}". If you reach it through a proxy or a DNS name, add that name to PUBLIC_URL or ALLOWED_HOSTS.`
    : `${what} needs a Host header.`;
}

/**
 * The Host check as Hono middleware, for every route of the app it is mounted on. The Host comes from the header,
 * or from the request URL when there is no header (app.request in tests builds the URL from a default host).
 */
export function requireKnownHost(policy: HostPolicy, what = 'This Fulcrum backend'): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!hostAllowed(host, policy)) {
      return c.json({ error: { code: 'misdirected_request', message: misdirectedMessage(host, what) } }, 421);
    }
    await next();
  };
}
