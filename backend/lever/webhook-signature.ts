import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Lever's webhook signature (docs/lever-api.md §7): hex HMAC-SHA256 keyed by the webhook's signature token over the
 * plain concatenation `token + triggeredAt`, both taken from the JSON body. Not over the raw body, not a header.
 */
export function signLeverWebhook(token: string, triggeredAt: number | string, signatureToken: string): string {
  return createHmac('sha256', signatureToken)
    .update(`${token}${String(triggeredAt)}`)
    .digest('hex');
}

/** Constant-time check of a delivery's signature. False for any malformed input rather than throwing. */
export function verifyLeverWebhook(
  body: { token: string; triggeredAt: number | string; signature?: string | null },
  signatureToken: string,
): boolean {
  if (typeof body.signature !== 'string' || !/^[0-9a-f]{64}$/i.test(body.signature)) return false;
  if (typeof body.token !== 'string' || !signatureToken) return false;
  const expected = Buffer.from(signLeverWebhook(body.token, body.triggeredAt, signatureToken), 'hex');
  const given = Buffer.from(body.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
