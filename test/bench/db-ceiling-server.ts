import http from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { pgliteStatements } from '../../src/store/pglite-statements.ts';

// The second ceiling of `bench:scim`: a bare node:http server that does, per request, only the one
// statement a SCIM request cannot do without. `GET …/{id}` reads one member by primary key; `POST`
// inserts the user of its SCIM body into a copy of the members table (its indexes and checks, no
// foreign keys, no audit entry or link), so the figure is an upper bound for the daemon's request
// of the same kind. No authentication, routing, validation or SCIM representation: what is left is
// Node's HTTP, the database's driver and the database's own work.
//
// On PostgreSQL (DATABASE_URL) the statements are named, over a pool of as many connections as the
// daemon's. On PGlite (PGLITE_DATA_DIR, the database in the daemon's data directory, while no
// daemon has it open) PGlite runs in this server's own thread, and each statement is named once
// and then bound and executed in one call, as the daemon's database thread does
// (src/store/pglite-statements.ts).
//
// Started by scim-bench.ts with PORT, CEILING_TABLE, ORG_ID, USER_TYPE_ID, ROLE_ID and one of the two.

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** The daemon's own pool size on PostgreSQL (`src/store/database.ts`). */
const POOL_SIZE = 10;

interface Database {
  run(statement: { name: string; text: string }, values: unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

async function database(): Promise<Database> {
  const dataDir = process.env.PGLITE_DATA_DIR;
  if (dataDir) {
    const pglite = await PGlite.create({ dataDir, extensions: { pg_trgm } });
    const statements = pgliteStatements(pglite);
    return {
      run: async ({ text }, values) => (await statements.query(text, values)).rows,
      close: () => pglite.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: POOL_SIZE });
  return {
    run: async (statement, values) => (await pool.query({ ...statement, values })).rows,
    close: () => pool.end(),
  };
}

const db = await database();
const run = db.run;
const table = env('CEILING_TABLE');
const fixed = [env('ORG_ID'), env('USER_TYPE_ID'), env('ROLE_ID')];

const read = {
  name: 'ceiling-read',
  text: `select id, username, email, first_name, last_name, display_name, status, version,
                created_at, updated_at
         from members where id = $1`,
};
const write = {
  name: 'ceiling-write',
  text: `insert into ${table}
           (org_id, user_type_id, role_id, username, email, first_name, last_name, display_name, source)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'scim')
         returning id, version, created_at`,
};

interface ScimUser {
  userName: string;
  name?: { givenName?: string; familyName?: string };
  emails?: Array<{ value: string }>;
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/scim+json' });
  res.end(JSON.stringify(body));
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method === 'GET') {
    const id = req.url!.slice(req.url!.lastIndexOf('/') + 1);
    const rows = await run(read, [id]);
    answer(res, rows.length === 1 ? 200 : 404, rows[0] ?? {});
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const user = JSON.parse(Buffer.concat(chunks).toString()) as ScimUser;
  const first = user.name?.givenName ?? '';
  const last = user.name?.familyName ?? '';
  const [row] = await run(write, [
    ...fixed,
    user.userName,
    user.emails?.[0]?.value ?? null,
    first,
    last,
    `${first} ${last}`,
  ]);
  answer(res, 201, { ...user, ...(row as object) });
}

const server = http
  .createServer((req, res) => {
    handle(req, res).catch((error: Error) => answer(res, 500, { detail: error.message }));
  })
  .listen(Number(env('PORT')), '127.0.0.1', () => console.log('listening'));

// PGlite's data directory is the daemon's next: closed cleanly, it needs no recovery there.
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  db.close().then(() => process.exit(0));
});
