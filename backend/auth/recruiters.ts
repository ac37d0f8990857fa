import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Store } from '../store/db.ts';

/**
 * Recruiters and their bearer tokens. A token is `flk_` + 32 random bytes (base64url); only its sha256 is stored,
 * so the token is shown once, at creation, and a stolen database does not yield usable tokens.
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
};

export type RecruiterListing = Recruiter & { lastUsedAt: number | null };

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
});

const RecruiterRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: RecruiterRoleSchema,
  lever_user_id: z.string().nullable(),
  created_at: z.number(),
  revoked_at: z.number().nullable(),
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
  input: { email: string; role: RecruiterRole; name?: string },
  now = Date.now(),
): Promise<{ recruiter: Recruiter; token: string }> {
  const parsed = AddRecruiterSchema.safeParse(input);
  if (!parsed.success) throw new RecruiterInputError(z.prettifyError(parsed.error));
  const { email, role, name } = parsed.data;
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
        .set({ role, name: name ?? existing.name, revoked_at: null })
        .where('id', '=', id)
        .execute();
    } else {
      id = randomUUID();
      await trx
        .insertInto('recruiters')
        .values({ id, email, name: name ?? null, role, lever_user_id: null, created_at: now, revoked_at: null })
        .execute();
    }
    await trx
      .insertInto('recruiter_tokens')
      .values({ id: randomUUID(), recruiter_id: id, token_hash: hashToken(token), created_at: now })
      .execute();
    return id;
  });
  const row = await store.db.selectFrom('recruiters').selectAll().where('id', '=', recruiterId).executeTakeFirst();
  return { recruiter: toRecruiter(row), token };
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

/** Everyone, revoked included, oldest first, with the last time any of their tokens was used. */
export async function listRecruiters(store: Pick<Store, 'db'>): Promise<RecruiterListing[]> {
  const rows = await store.db
    .selectFrom('recruiters as r')
    .leftJoin('recruiter_tokens as t', 't.recruiter_id', 'r.id')
    .select([...RECRUITER_COLUMNS, sql<number | null>`max(t.last_used_at)`.as('last_used_at')])
    .groupBy('r.id')
    .orderBy('r.created_at')
    .orderBy('r.email')
    .execute();
  return rows.map((row) => ({
    ...toRecruiter(row),
    lastUsedAt: NullableMsSchema.parse(row.last_used_at),
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
});

/**
 * The active recruiter a bearer token belongs to, or null (unknown, malformed or revoked token, or revoked
 * recruiter). Callers answer 401 on null without saying which case it was.
 */
export async function authenticate(
  store: Pick<Store, 'db'>,
  token: string | null | undefined,
  now = Date.now(),
): Promise<Recruiter | null> {
  if (!token?.startsWith(TOKEN_PREFIX) || !TOKEN_BODY.test(token.slice(TOKEN_PREFIX.length))) return null;
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
    ])
    .where('t.token_hash', '=', hash)
    .executeTakeFirst();
  if (!raw) return null;
  const row = TokenLookupSchema.parse(raw);
  // The index lookup already matched; comparing in constant time as well keeps the decision itself timing-flat.
  if (!timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  if (row.revoked_at !== null || row.token_revoked_at !== null) return null;
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
    await store.db.updateTable('recruiter_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
  }
  return toRecruiter(row);
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
