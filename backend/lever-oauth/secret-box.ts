import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for Lever OAuth tokens: AES-256-GCM (node:crypto) with a 32-byte key from FULCRUM_SECRET_KEY.
 * Each value gets a fresh 12-byte IV; the GCM tag authenticates it, and the additional data binds it to its row, so
 * a ciphertext copied to another row, edited, or opened with another key fails loudly instead of yielding garbage.
 */

const VERSION = 'v1';

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export const SECRET_KEY_HELP =
  "Generate one with: node -e \"console.log(require('node:crypto').randomBytes(32).toString('hex'))\" and keep it " +
  'outside the data directory (a secrets manager or the service environment).';

/** The key from its text form: 64 hex characters, or base64/base64url of exactly 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  throw new SecretKeyError(`FULCRUM_SECRET_KEY must be 32 bytes as 64 hex characters or base64. ${SECRET_KEY_HELP}`);
}

/** Encrypts `plaintext` for the row named by `aad`. Output: `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypts what `seal` produced for the same `aad`; throws SecretKeyError on a wrong key or a tampered value. */
export function open(key: Buffer, sealed: string, aad: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) {
    throw new SecretKeyError('The stored Lever tokens are not in a format this Fulcrum can read.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError(
      'The stored Lever tokens cannot be decrypted: FULCRUM_SECRET_KEY is not the key they were stored with (or the ' +
        'row was altered). Restore the original key, or reconnect with npm run cli -- lever connect.',
    );
  }
}
