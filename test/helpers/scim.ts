import { threadId } from 'node:worker_threads';
import test from 'ava';
import type { ScimContext } from '../../src/scim/scim-users.ts';
import {
  createPostgresDatabase,
  databaseKinds,
  type DatabaseKind,
  type Fixture,
} from './databases.ts';
import {
  type DaemonProcess,
  type ProcessEnv,
  runCli,
  startDaemonProcess,
  tempDir,
} from './daemon.ts';

// A real daemon per database, with an editor key, a viewer key, and an editor key of a second
// organization, for the SCIM conformance tests.

export interface ScimTarget {
  kind: DatabaseKind;
  url: string;
  editor: string;
  viewer: string;
  otherOrgEditor: string;
  env: ProcessEnv;
}

export interface ScimResponse {
  status: number;
  body: any;
  headers: Headers;
}

async function key(env: ProcessEnv, role: string, org?: string): Promise<string> {
  const result = await runCli(
    [
      ...(org ? ['--org', org] : []),
      'keys',
      'create',
      '--title',
      `scim ${role}`,
      '--role',
      role,
      '--scope',
      'scim',
      '--expires-in-days',
      '365',
      '--json',
    ],
    env,
  );
  if (result.code !== 0) throw new Error(`keys create failed: ${result.stderr}`);
  return JSON.parse(result.stdout).secret;
}

async function open(kind: DatabaseKind): Promise<{ target: ScimTarget; close(): Promise<void> }> {
  const pg = kind === 'postgres' ? await createPostgresDatabase() : null;
  const env: ProcessEnv = pg
    ? { DATABASE_URL: pg.url }
    : { PROVISIOND_DATA_DIR: tempDir('provisiond-scim-') };
  const daemon: DaemonProcess = await startDaemonProcess(env);
  const orgCreated = await runCli(['orgs', 'create', 'Other tenant', '--slug', 'other'], env);
  if (orgCreated.code !== 0) throw new Error(orgCreated.stderr);
  const target: ScimTarget = {
    kind,
    url: `${daemon.url}/scim/v2`,
    env,
    editor: await key(env, 'editor'),
    viewer: await key(env, 'viewer'),
    otherOrgEditor: await key(env, 'editor', 'other'),
  };
  return {
    target,
    async close() {
      await daemon.stop();
      await pg?.drop();
    },
  };
}

export function eachScimTarget(
  register: (kind: DatabaseKind, target: () => ScimTarget) => void,
): void {
  for (const kind of databaseKinds()) {
    let opened: Awaited<ReturnType<typeof open>> | undefined;
    test.before(async () => {
      opened = await open(kind);
    });
    test.after.always(async () => {
      await opened?.close();
    });
    register(kind, () => opened!.target);
  }
}

export async function scim(
  target: ScimTarget,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  token = target.editor,
): Promise<ScimResponse> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/scim+json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let n = 0;
/** A unique userName per call, so tests sharing a daemon never collide. */
export function uniqueName(prefix: string): string {
  n += 1;
  return `${prefix}.${process.pid}.${threadId}.${n}@example.com`;
}

export function newUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    ...extra,
  };
}

export const q = (filter: string) => `?filter=${encodeURIComponent(filter)}`;

/** A SCIM context, as the router builds one, in a new organization of the fixture's database. */
export async function scimContextIn(f: Fixture): Promise<ScimContext> {
  return {
    db: f.database.knex,
    hasher: f.deps.hasher,
    scope: await f.newOrg(),
    base: 'http://scim.test/scim/v2',
  };
}
