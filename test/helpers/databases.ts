import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import test from 'ava';
import knexFactory from 'knex';
import { LOCAL_ADMIN, type Scope } from '../../src/access/actor.ts';
import { createOrganization } from '../../src/orgs/organizations.ts';
import { argon2Hasher } from '../../plugins/builtin/index.ts';
import { type Database, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest, migrationSetKey } from '../../src/store/migrations.ts';
import type { MemberDeps } from '../../src/members/member-service.ts';
import { type LinkSealer, linkSealer } from '../../src/invitations/link-sealer.ts';

// Every store test runs on PGlite and, when DATABASE_URL is set, on PostgreSQL. With
// PROVISIOND_REQUIRE_POSTGRES=1 (CI) a missing PostgreSQL fails the run instead of being skipped.

export type DatabaseKind = 'pglite' | 'postgres';

export function databaseKinds(): DatabaseKind[] {
  if (process.env.DATABASE_URL) return ['pglite', 'postgres'];
  if (process.env.PROVISIOND_REQUIRE_POSTGRES === '1') {
    throw new Error(
      'PROVISIOND_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: the PostgreSQL suite cannot run',
    );
  }
  return ['pglite'];
}

/** A throwaway database on the PostgreSQL server of DATABASE_URL, dropped by `drop()`. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `provisiond_test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  markPostgresRan();
  return {
    url: url.toString(),
    async drop() {
      const k = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
      try {
        await k.raw(`drop database if exists ${name} with (force)`);
      } finally {
        await k.destroy();
      }
    },
  };
}

/**
 * Leaves a trace that this test file ran against PostgreSQL; .ci/run checks for it. ava runs each
 * test file in a worker thread of its own, so the thread's id tells the files apart.
 */
function markPostgresRan(): void {
  const dir = path.resolve('test-results', 'postgres');
  mkdirSync(dir, { recursive: true });
  const file = path.basename(test.meta.file);
  writeFileSync(path.join(dir, `${process.pid}-${threadId}-${file}.ran`), new Date().toISOString());
}

export interface Fixture {
  kind: DatabaseKind;
  database: Database;
  deps: MemberDeps & { links: LinkSealer };
  /** A fresh organization: tests isolate themselves from each other by tenant. */
  newOrg(): Promise<Scope>;
}

async function openFixture(
  kind: DatabaseKind,
): Promise<{ fixture: Fixture; close(): Promise<void> }> {
  const pg = kind === 'postgres' ? await createPostgresDatabase() : null;
  // On PGlite, from the cached copy already migrated to this schema when there is one (as a
  // daemon's new data directory starts): the migrations then have nothing left to do.
  const database = await openDatabase({
    url: pg?.url,
    dataDir: 'memory://',
    schema: pg ? undefined : migrationSetKey(),
  });
  await migrateToLatest(database.knex);
  await database.keepSchemaCopy?.();
  let n = 0;
  const fixture: Fixture = {
    kind,
    database,
    deps: { db: database.knex, hasher: argon2Hasher, links: linkSealer(randomBytes(32)) },
    async newOrg() {
      n += 1;
      const org = await createOrganization(database.knex, LOCAL_ADMIN, {
        name: `Org ${n}`,
        slug: `org-${n}-${randomBytes(3).toString('hex')}`,
      });
      return { orgId: org.id, actor: LOCAL_ADMIN };
    },
  };
  return {
    fixture,
    async close() {
      await database.close();
      await pg?.drop();
    },
  };
}

/** Registers the tests once per database, each with its own opened fixture. */
export function eachDatabase(register: (kind: DatabaseKind, fixture: () => Fixture) => void): void {
  for (const kind of databaseKinds()) {
    let opened: Awaited<ReturnType<typeof openFixture>> | undefined;
    test.before(async () => {
      opened = await openFixture(kind);
    });
    test.after.always(async () => {
      await opened?.close();
    });
    register(kind, () => {
      if (!opened) throw new Error(`the ${kind} fixture did not open`);
      return opened.fixture;
    });
  }
}
