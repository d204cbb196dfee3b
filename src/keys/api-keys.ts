import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { announceRevocation, onRevocation, rememberedKeysTrusted } from './key-revocation.ts';
import { z } from 'zod';
import { type Actor, type Scope, requireAdministrator } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.ts';
import { emailProblem } from '../members/email-rules.ts';
import { isUuid } from '../store/uuid.ts';
import { transferOrDeleteOwned } from '../resources/ownership.ts';
import { selectRows } from '../store/prepared-select.ts';
import { parseInput } from '../validation.ts';
import { hashToken, keyIdOf, newKeySecret, tokenMatches } from './key-secret.ts';
import { MAX_KEY_DAYS, SUGGESTED_KEY_DAYS } from './key-expiry.ts';

// Title, id, creator and the creator's email, created, expires (a required
// field of the seed's form), role Editor or Viewer; the secret is shown once and only its hash is
// kept; deletion is irreversible, with transfer of what the key owns to a member who may own
// content, or deletion of it.

type KeyRole = 'editor' | 'viewer';

/** What a key reaches: the admin API (/api/v1), SCIM (/scim/v2), or both. */
const KEY_SCOPES = ['api', 'scim'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export interface ApiKey {
  id: string;
  title: string;
  role: KeyRole;
  scopes: KeyScope[];
  createdBy: string;
  /** The creator's email; null for keys whose creator gave none. */
  createdByEmail: string | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  status: 'active' | 'expired';
}

interface ApiKeyRow {
  id: string;
  org_id: string;
  title: string;
  role: KeyRole;
  scopes: KeyScope[];
  secret_hash: Buffer;
  created_by: string;
  created_by_email: string | null;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
}

const ROLE_NAMES: Record<string, KeyRole> = {
  editor: 'editor',
  éditeur: 'editor',
  editeur: 'editor',
  viewer: 'viewer',
  visualisateur: 'viewer',
};

const createSchema = z
  .object({
    title: z.string().trim().min(1, 'is required').max(200),
    role: z.string().transform((value, ctx) => {
      const role = ROLE_NAMES[value.trim().toLowerCase()];
      if (!role)
        ctx.addIssue({
          code: 'custom',
          message: 'must be editor or viewer (only these roles can be given to an API key)',
        });
      return role ?? 'viewer';
    }),
    scopes: z
      .array(z.enum(KEY_SCOPES, { message: 'each scope must be api or scim' }))
      .min(1, 'give at least one scope: api, scim or both')
      .transform((s) => [...new Set(s)].sort())
      .optional(),
    expiresAt: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    expiresInDays: z.number().int().min(1).max(MAX_KEY_DAYS).optional(),
    creatorEmail: z.string().trim().max(254).optional(),
  })
  .strict()
  .refine((k) => !(k.expiresAt && k.expiresInDays), {
    message: 'give expiresAt or expiresInDays, not both',
    path: ['expiresAt'],
  })
  .refine((k) => k.expiresAt !== undefined || k.expiresInDays !== undefined, {
    message: `is required: give expiresAt (a date) or expiresInDays (e.g. ${SUGGESTED_KEY_DAYS} for one year, at most ${MAX_KEY_DAYS})`,
    path: ['expiresAt'],
  });

function toApiKey(row: ApiKeyRow, now = new Date()): ApiKey {
  return {
    id: row.id,
    title: row.title,
    role: row.role,
    scopes: row.scopes,
    createdBy: row.created_by,
    createdByEmail: row.created_by_email,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    status: new Date(row.expires_at) > now ? 'active' : 'expired',
  };
}

function expiryFrom(
  input: { expiresAt?: string | undefined; expiresInDays?: number | undefined },
  now: Date,
): Date {
  if (input.expiresAt) return new Date(input.expiresAt);
  return new Date(now.getTime() + input.expiresInDays! * 86_400_000);
}

/** The creator's email: a signed-in member's own; the local administrator's as given. */
async function creatorEmailOf(
  db: Knex,
  scope: Scope,
  given: string | undefined,
): Promise<string | null> {
  if (scope.actor.type === 'member' && scope.actor.id) {
    const member = await db('members').where('id', scope.actor.id).first('email');
    return (member?.email as string | undefined) ?? null;
  }
  if (given === undefined || given === '') return null;
  const problem = emailProblem(given);
  if (problem) throw ValidationError.field('creatorEmail', problem);
  return given;
}

export async function createApiKey(
  db: Knex,
  scope: Scope,
  input: unknown,
): Promise<ApiKey & { secret: string }> {
  requireAdministrator(scope.actor, 'creating API keys');
  const request = parseInput(createSchema, input);
  const now = new Date();
  const expiresAt = expiryFrom(request, now);
  if (!(expiresAt > now)) throw ValidationError.field('expiresAt', 'must be in the future');
  if (expiresAt.getTime() - now.getTime() > MAX_KEY_DAYS * 86_400_000) {
    throw ValidationError.field('expiresAt', `must be at most ${MAX_KEY_DAYS} days from now`);
  }
  const createdByEmail = await creatorEmailOf(db, scope, request.creatorEmail);
  const id = randomUUID();
  const { token, hash } = newKeySecret(id);
  return db.transaction(async (trx) => {
    const [row] = await trx<ApiKeyRow>('api_keys')
      .insert({
        id,
        org_id: scope.orgId,
        title: request.title,
        role: request.role,
        scopes: request.scopes ?? ['api'],
        secret_hash: hash,
        created_by: scope.actor.label,
        created_by_email: createdByEmail,
        created_at: now,
        expires_at: expiresAt,
      })
      .returning('*');
    const key = toApiKey(row!);
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'key.create',
      targetType: 'api_key',
      targetId: id,
      after: key,
    });
    return { ...key, secret: token };
  });
}

export async function listApiKeys(
  db: Knex,
  orgId: string,
): Promise<{ items: ApiKey[]; total: number }> {
  const rows = await db<ApiKeyRow>('api_keys').where('org_id', orgId).orderBy('created_at', 'desc');
  return { items: rows.map((r) => toApiKey(r)), total: rows.length };
}

export async function getApiKey(
  db: Knex | Knex.Transaction,
  orgId: string,
  id: string,
): Promise<ApiKey> {
  const row = isUuid(id)
    ? await db<ApiKeyRow>('api_keys').where({ org_id: orgId, id }).first()
    : undefined;
  if (!row) throw new NotFoundError('API key', id);
  return toApiKey(row);
}

export async function deleteApiKey(db: Knex, scope: Scope, id: string, input: unknown) {
  requireAdministrator(scope.actor, 'deleting API keys');
  const { transferTo } = parseInput(
    z.object({ transferTo: z.string().min(1).optional() }).strict(),
    input ?? {},
  );
  return db.transaction(async (trx) => {
    const key = await getApiKey(trx, scope.orgId, id);
    const outcome = await transferOrDeleteOwned(trx, scope.orgId, { keyId: key.id }, transferTo);
    await trx('api_keys').where({ id: key.id, org_id: scope.orgId }).delete();
    forget(key.id);
    await announceRevocation(trx, key.id);
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'key.delete',
      targetType: 'api_key',
      targetId: key.id,
      before: key,
      after: {
        transferredTo: outcome.transferredTo,
        resourcesTransferred: outcome.transferred,
        resourcesDeleted: outcome.deleted,
      },
    });
    return {
      deleted: key,
      transferredTo: outcome.transferredTo,
      resourcesTransferred: outcome.transferred,
      resourcesDeleted: outcome.deleted,
    };
  });
}

const LAST_USED_EVERY_MS = 60_000;
const lastUsedWritten = new Map<string, number>();

// A verified key is remembered for a few seconds, keyed by the token's hash, so that a busy
// identity provider costs no key look-up per request. A key deleted through this daemon is
// forgotten at once; one deleted through another process on the same PostgreSQL is forgotten
// when its notification arrives (key-revocation.ts), and not trusted while none can arrive.
const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;
interface Verified {
  scope: Scope;
  scopes: KeyScope[];
  keyExpires: number;
  until: number;
}
const verified = new Map<string, Verified>();
// Look-ups under way, by the token's hash: a burst of requests with a token not remembered (a
// new key, or every few seconds when the memory lapses) waits for one look-up, not one each.
const lookingUp = new Map<string, Promise<Verified>>();

function assertReaches(scopes: KeyScope[], wanted: KeyScope): void {
  if (scopes.includes(wanted)) return;
  throw new ForbiddenError(
    wanted === 'scim'
      ? 'this API key is not for SCIM; create one with the scope scim'
      : 'this API key is for SCIM only (/scim/v2); the admin API needs a key with the scope api',
  );
}

// Bumped by every forget: a look-up that began before it does not remember what it read, since
// the key may have been deleted in between.
let forgets = 0;

/** Forgets the remembered verifications of a key, or of every key (null). */
function forget(keyId: string | null): void {
  forgets += 1;
  lookingUp.clear();
  if (keyId === null) verified.clear();
  else
    for (const [hash, entry] of verified) if (entry.scope.actor.id === keyId) verified.delete(hash);
}
onRevocation(forget);

/**
 * Turns a bearer token into the acting key, or refuses it: 401 when unknown, deleted or expired,
 * 403 when the key's scopes do not include the interface it is used on.
 */
export async function authenticateApiKey(
  db: Knex,
  token: string,
  wanted: KeyScope,
): Promise<Scope> {
  const now = Date.now();
  const cacheKey = hashToken(token).toString('base64');
  const cached = verified.get(cacheKey);
  if (cached && cached.until > now && cached.keyExpires > now && rememberedKeysTrusted()) {
    assertReaches(cached.scopes, wanted);
    return cached.scope;
  }
  let lookUp = lookingUp.get(cacheKey);
  if (!lookUp) {
    const mine = verify(db, token, cacheKey, now).finally(() => {
      if (lookingUp.get(cacheKey) === mine) lookingUp.delete(cacheKey);
    });
    lookUp = mine;
    lookingUp.set(cacheKey, mine);
  }
  const found = await lookUp;
  assertReaches(found.scopes, wanted);
  return found.scope;
}

/** Looks the token's key up and remembers it; refuses an unknown, deleted or expired one. */
async function verify(db: Knex, token: string, cacheKey: string, now: number): Promise<Verified> {
  const forgetsBefore = forgets;
  const id = keyIdOf(token);
  const [row] = id ? await selectRows<ApiKeyRow>(db, db('api_keys').where('id', id).limit(1)) : [];
  if (!row || !tokenMatches(token, row.secret_hash) || new Date(row.expires_at).getTime() <= now) {
    verified.delete(cacheKey);
    throw new UnauthorizedError('the API key is invalid, expired or deleted');
  }
  // Recording every use would put a write on every request; once a minute per key is enough.
  if (now - (lastUsedWritten.get(row.id) ?? 0) > LAST_USED_EVERY_MS) {
    lastUsedWritten.set(row.id, now);
    await db('api_keys')
      .where('id', row.id)
      .update({ last_used_at: new Date(now) });
  }
  const actor: Actor = {
    type: 'key',
    id: row.id,
    label: `API key "${row.title}" (${row.id})`,
    access: row.role,
  };
  const scope: Scope = { orgId: row.org_id, actor };
  if (verified.size >= CACHE_MAX) verified.clear();
  const entry = {
    scope,
    scopes: row.scopes,
    keyExpires: new Date(row.expires_at).getTime(),
    until: now + CACHE_MS,
  };
  if (forgets === forgetsBefore) verified.set(cacheKey, entry);
  return entry;
}
