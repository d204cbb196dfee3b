import type { Knex } from 'knex';
import { affectedRows } from '../store/affected-rows.ts';
import { hashToken, newToken, tokenMatches } from './session-token.ts';

// Server-side sessions: the browser holds a random token, the database its hash, so a session
// survives a restart, works on every daemon sharing the database, and is revoked by a write.
// A session of a member who was disabled or deleted stops working at once.

export interface Session {
  id: string;
  orgId: string;
  memberId: string;
  username: string;
  source: string;
  mustChangePassword: boolean;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface OpenSessionInput {
  orgId: string;
  memberId: string;
  source: string;
  mustChangePassword: boolean;
  hours: number;
}

/** Opens a session and records the sign-in on the member; the token is returned once. */
export async function openSession(
  db: Knex,
  input: OpenSessionInput,
): Promise<{ token: string; session: Session }> {
  const { token, hash } = newToken();
  const expiresAt = new Date(Date.now() + input.hours * 3_600_000);
  const id = await db.transaction(async (trx) => {
    const [row] = await trx('sessions')
      .insert({
        org_id: input.orgId,
        member_id: input.memberId,
        token_hash: hash,
        source: input.source,
        must_change_password: input.mustChangePassword,
        expires_at: expiresAt,
      })
      .returning('id');
    await trx('members')
      .where({ id: input.memberId, org_id: input.orgId })
      .update({ last_sign_in_at: trx.fn.now() });
    return (row as { id: string }).id;
  });
  const session = await findSessionById(db, id);
  return { token, session: session! };
}

const COLUMNS = [
  's.id',
  's.org_id',
  's.member_id',
  's.source',
  's.must_change_password',
  's.created_at',
  's.expires_at',
  's.last_seen_at',
  's.token_hash',
  'm.username',
];

interface SessionRow {
  id: string;
  org_id: string;
  member_id: string;
  source: string;
  must_change_password: boolean;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  token_hash: Uint8Array;
  username: string;
}

/** Sessions neither revoked nor expired whose member is not disabled, with the member's username. */
function live(db: Knex): Knex.QueryBuilder<SessionRow, SessionRow[]> {
  return db('sessions as s')
    .join('members as m', 'm.id', 's.member_id')
    .whereNull('s.revoked_at')
    .andWhere('s.expires_at', '>', new Date())
    .andWhereNot('m.status', 'disabled')
    .select(COLUMNS);
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    orgId: row.org_id,
    memberId: row.member_id,
    username: row.username,
    source: row.source,
    mustChangePassword: row.must_change_password,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
  };
}

/** The live session a token opens, or null (unknown, expired, revoked, member disabled). */
export async function findSession(db: Knex, token: string): Promise<Session | null> {
  const row = await live(db).andWhere('s.token_hash', hashToken(token)).first();
  // The index finds the row by hash; the constant-time comparison is the actual check.
  if (!row || !tokenMatches(token, row.token_hash)) return null;
  return toSession(row);
}

async function findSessionById(db: Knex, id: string): Promise<Session | null> {
  const row = await live(db).andWhere('s.id', id).first();
  return row ? toSession(row) : null;
}

/** Records that the session was used now (its idle time starts again). */
export async function touchSession(db: Knex, sessionId: string): Promise<void> {
  await db('sessions').where('id', sessionId).update({ last_seen_at: db.fn.now() });
}

export async function revokeSession(db: Knex, sessionId: string): Promise<boolean> {
  return (
    affectedRows(
      await db('sessions')
        .where('id', sessionId)
        .whereNull('revoked_at')
        .update({ revoked_at: db.fn.now() }),
    ) === 1
  );
}

/** Revokes every session of a member but one (after a password change), or all of them. */
export async function revokeMemberSessions(
  db: Knex,
  memberId: string,
  except?: string,
): Promise<number> {
  const query = db('sessions').where('member_id', memberId).whereNull('revoked_at');
  if (except) query.andWhereNot('id', except);
  return affectedRows(await query.update({ revoked_at: db.fn.now() }));
}

export async function clearPasswordChange(db: Knex, sessionId: string): Promise<void> {
  await db('sessions').where('id', sessionId).update({ must_change_password: false });
}
