import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Store } from '../store/db.ts';

/**
 * Recruiters and their bearer tokens. A token is `flk_` + 32 random bytes (base64url); only its sha256 is stored,
 * so the token is shown once, at creation, and a stolen database does not yield usable tokens. Every token expires
 * (TOKEN_TTL_DAYS, 90 by default) and can be rotated; the demo recruiter `npm start` creates for the emulator is
 * marked, so starting on a real Lever key can revoke it.
 */

export const RecruiterRoleSchema = z.enum(['recruiter', 'admin']);
export type RecruiterRole = z.infer<typeof RecruiterRoleSchema>;

export type Recruiter = {
  id: string;
  email: string;
  name: string | null;
  role: RecruiterRole;
  leverUserId: string | null;
  /** Epoch ms. */
  createdAt: number;
  revokedAt: number | null;
  /** Created by `npm start` for the emulator demo. */
  demo: boolean;
};

export type RecruiterListing = Recruiter & {
  lastUsedAt: number | null;
  /** When the newest active token expires (null: no active token). */
  tokenExpiresAt: number | null;
};

/** How long a new token lives unless TOKEN_TTL_DAYS says otherwise. */
export const DEFAULT_TOKEN_TTL_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export class RecruiterExistsError extends Error {
  override name = 'RecruiterExistsError';
}
export class RecruiterNotFoundError extends Error {
  override name = 'RecruiterNotFoundError';
}
export class RecruiterInputError extends Error {
  override name = 'RecruiterInputError';
}

const TOKEN_PREFIX = 'flk_';
/** 32 bytes in unpadded base64url. */
const TOKEN_BODY = /^[A-Za-z0-9_-]{43}$/;
/** last_used_at is advisory: write it at most once a minute per token instead of on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const AddRecruiterSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'not a valid email address' })),
  role: RecruiterRoleSchema,
  name: z.string().trim().min(1).max(200).optional(),
  demo: z.boolean().default(false),
  tokenTtlDays: z.number().int().min(1).max(3650).default(DEFAULT_TOKEN_TTL_DAYS),
});

const RecruiterRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: RecruiterRoleSchema,
  lever_user_id: z.string().nullable(),
  created_at: z.number(),
  revoked_at: z.number().nullable(),
  demo: z.number().int(),
});

/** The RecruiterRowSchema columns, for queries that alias `recruiters` as `r`. */
const RECRUITER_COLUMNS = [
  'r.id',
  'r.email',
  'r.name',
  'r.role',
  'r.lever_user_id',
  'r.created_at',
  'r.revoked_at',
  'r.demo',
] as const;

function toRecruiter(raw: unknown): Recruiter {
  const r = RecruiterRowSchema.parse(raw);
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    leverUserId: r.lever_user_id,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    demo: r.demo === 1,
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Creates a recruiter with a fresh token. Adding a revoked recruiter's email again reinstates them (new role, name
 * and token; old tokens stay revoked). An active recruiter with that email is an error.
 */
export async function addRecruiter(
  store: Pick<Store, 'db'>,
  input: { email: string; role: RecruiterRole; name?: string; demo?: boolean; tokenTtlDays?: number },
  now = Date.now(),
): Promise<{ recruiter: Recruiter; token: string; expiresAt: number }> {
  const parsed = AddRecruiterSchema.safeParse(input);
  if (!parsed.success) throw new RecruiterInputError(z.prettifyError(parsed.error));
  const { email, role, name, demo, tokenTtlDays } = parsed.data;
  const expiresAt = now + tokenTtlDays * DAY_MS;
  const token = newToken();
  const recruiterId = await store.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('recruiters').selectAll().where('email', '=', email).executeTakeFirst();
    if (existing && existing.revoked_at === null) {
      throw new RecruiterExistsError(`Recruiter ${email} already exists; revoke them first to issue a new token`);
    }
    let id: string;
    if (existing) {
      id = existing.id;
      await trx
        .updateTable('recruiters')
        .set({ role, name: name ?? existing.name, revoked_at: null, demo: demo ? 1 : 0 })
        .where('id', '=', id)
        .execute();
    } else {
      id = randomUUID();
      await trx
        .insertInto('recruiters')
        .values({
          id,
          email,
          name: name ?? null,
          role,
          lever_user_id: null,
          created_at: now,
          revoked_at: null,
          demo: demo ? 1 : 0,
        })
        .execute();
    }
    await trx
      .insertInto('recruiter_tokens')
      .values({
        id: randomUUID(),
        recruiter_id: id,
        token_hash: hashToken(token),
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return id;
  });
  const row = await store.db.selectFrom('recruiters').selectAll().where('id', '=', recruiterId).executeTakeFirst();
  return { recruiter: toRecruiter(row), token, expiresAt };
}

/**
 * Issues a new token to an active recruiter and revokes every token they held, in one transaction: the old token
 * stops working the moment the new one exists. The new token is returned once, like at creation.
 */
export async function rotateRecruiterToken(
  store: Pick<Store, 'db'>,
  email: string,
  opts: { tokenTtlDays?: number; now?: number } = {},
): Promise<{ recruiter: Recruiter; token: string; expiresAt: number; revokedTokens: number }> {
  const now = opts.now ?? Date.now();
  const ttl = z
    .number()
    .int()
    .min(1)
    .max(3650)
    .safeParse(opts.tokenTtlDays ?? DEFAULT_TOKEN_TTL_DAYS);
  if (!ttl.success) throw new RecruiterInputError('The token lifetime must be 1 to 3650 days');
  const normalized = normalizeEmail(email);
  const token = newToken();
  const expiresAt = now + ttl.data * DAY_MS;
  return store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('recruiters').selectAll().where('email', '=', normalized).executeTakeFirst();
    if (!row) throw new RecruiterNotFoundError(`No recruiter with email ${normalized}`);
    if (row.revoked_at !== null) {
      throw new RecruiterInputError(`${normalized} is revoked; add them again to issue a token (recruiters add)`);
    }
    const revoked = await trx
      .updateTable('recruiter_tokens')
      .set({ revoked_at: now })
      .where('recruiter_id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await trx
      .insertInto('recruiter_tokens')
      .values({
        id: randomUUID(),
        recruiter_id: row.id,
        token_hash: hashToken(token),
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return { recruiter: toRecruiter(row), token, expiresAt, revokedTokens: Number(revoked.numUpdatedRows) };
  });
}

/**
 * Revokes every active demo recruiter (the ones `npm start` creates for the emulator) and their tokens. Called when
 * the backend starts on a real Lever key: a demo credential must never reach real data. Returns their emails.
 */
export async function revokeDemoRecruiters(store: Pick<Store, 'db'>, now = Date.now()): Promise<string[]> {
  return store.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('recruiters')
      .select(['id', 'email'])
      .where('demo', '=', 1)
      .where('revoked_at', 'is', null)
      .execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    await trx.updateTable('recruiters').set({ revoked_at: now }).where('id', 'in', ids).execute();
    await trx
      .updateTable('recruiter_tokens')
      .set({ revoked_at: now })
      .where('recruiter_id', 'in', ids)
      .where('revoked_at', 'is', null)
      .execute();
    return rows.map((r) => r.email);
  });
}

/** Revokes the recruiter and every token they hold. Throws RecruiterNotFoundError for an unknown email. */
export async function revokeRecruiter(store: Pick<Store, 'db'>, email: string, now = Date.now()): Promise<Recruiter> {
  const normalized = normalizeEmail(email);
  return store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('recruiters').selectAll().where('email', '=', normalized).executeTakeFirst();
    if (!row) throw new RecruiterNotFoundError(`No recruiter with email ${normalized}`);
    const revokedAt = row.revoked_at ?? now;
    await trx.updateTable('recruiters').set({ revoked_at: revokedAt }).where('id', '=', row.id).execute();
    await trx
      .updateTable('recruiter_tokens')
      .set({ revoked_at: revokedAt })
      .where('recruiter_id', '=', row.id)
      .where('revoked_at', 'is', null)
      .execute();
    return toRecruiter({ ...row, revoked_at: revokedAt });
  });
}

/**
 * Everyone, revoked included, oldest first, with the last time any of their tokens was used and when their newest
 * active token expires.
 */
export async function listRecruiters(store: Pick<Store, 'db'>): Promise<RecruiterListing[]> {
  const rows = await store.db
    .selectFrom('recruiters as r')
    .leftJoin('recruiter_tokens as t', 't.recruiter_id', 'r.id')
    .select([
      ...RECRUITER_COLUMNS,
      sql<number | null>`max(t.last_used_at)`.as('last_used_at'),
      sql<number | null>`max(CASE WHEN t.revoked_at IS NULL THEN t.expires_at END)`.as('token_expires_at'),
    ])
    .groupBy('r.id')
    .orderBy('r.created_at')
    .orderBy('r.email')
    .execute();
  return rows.map((row) => ({
    ...toRecruiter(row),
    lastUsedAt: NullableMsSchema.parse(row.last_used_at),
    tokenExpiresAt: NullableMsSchema.parse(row.token_expires_at),
  }));
}

export async function getRecruiterByEmail(store: Pick<Store, 'db'>, email: string): Promise<Recruiter | null> {
  const row = await store.db
    .selectFrom('recruiters')
    .selectAll()
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
  return row ? toRecruiter(row) : null;
}

const NullableMsSchema = z.number().nullable();

const TokenLookupSchema = RecruiterRowSchema.extend({
  token_id: z.string(),
  token_hash: z.string(),
  token_revoked_at: z.number().nullable(),
  last_used_at: z.number().nullable(),
  expires_at: z.number().nullable(),
});

/** Whether a presented token has the shape of a Fulcrum token (checked before any lookup or rate-limit key). */
export function isWellFormedToken(token: string | null | undefined): token is string {
  return !!token?.startsWith(TOKEN_PREFIX) && TOKEN_BODY.test(token.slice(TOKEN_PREFIX.length));
}

export type TokenCheck =
  | { status: 'ok'; recruiter: Recruiter }
  /** A real, unrevoked token past its expiry: the caller may say so, since only its holder can present it. */
  | { status: 'expired'; expiredAt: number; email: string }
  | { status: 'invalid' };

/**
 * The active recruiter a bearer token belongs to, or null (unknown, malformed, revoked or expired token, or revoked
 * recruiter). Callers answer 401 on null without saying which case it was.
 */
export async function authenticate(
  store: Pick<Store, 'db'>,
  token: string | null | undefined,
  now = Date.now(),
): Promise<Recruiter | null> {
  const check = await checkToken(store, token, now);
  return check.status === 'ok' ? check.recruiter : null;
}

/** authenticate, telling an expired token apart from every other refusal (for the 401's message). */
export async function checkToken(
  store: Pick<Store, 'db'>,
  token: string | null | undefined,
  now = Date.now(),
): Promise<TokenCheck> {
  const invalid = { status: 'invalid' } as const;
  if (!isWellFormedToken(token)) return invalid;
  const hash = hashToken(token);
  const raw = await store.db
    .selectFrom('recruiter_tokens as t')
    .innerJoin('recruiters as r', 'r.id', 't.recruiter_id')
    .select([
      ...RECRUITER_COLUMNS,
      't.id as token_id',
      't.token_hash',
      't.revoked_at as token_revoked_at',
      't.last_used_at',
      't.expires_at',
    ])
    .where('t.token_hash', '=', hash)
    .executeTakeFirst();
  if (!raw) return invalid;
  const row = TokenLookupSchema.parse(raw);
  // The index lookup already matched; comparing in constant time as well keeps the decision itself timing-flat.
  if (!timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return invalid;
  if (row.revoked_at !== null || row.token_revoked_at !== null) return invalid;
  if (row.expires_at !== null && now >= row.expires_at) {
    return { status: 'expired', expiredAt: row.expires_at, email: row.email };
  }
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
    await store.db.updateTable('recruiter_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
  }
  return { status: 'ok', recruiter: toRecruiter(row) };
}

/** Records the Lever user a recruiter acts as (`perform_as`), found by the HTTP layer at first use. */
export async function setLeverUserId(
  store: Pick<Store, 'db'>,
  recruiterId: string,
  leverUserId: string | null,
): Promise<void> {
  const res = await store.db
    .updateTable('recruiters')
    .set({ lever_user_id: leverUserId })
    .where('id', '=', recruiterId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new RecruiterNotFoundError(`No recruiter with id ${recruiterId}`);
}
