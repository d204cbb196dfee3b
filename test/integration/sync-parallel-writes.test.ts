import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { createLogger } from '../../src/observability/logger.ts';
import { runSync, type SyncOptions } from '../../src/sync/run-sync.ts';
import { tempDir } from '../helpers/daemon.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { jsonFileSourceSchema } from '../fixtures/json-file-source/config.ts';
import { jsonFilePlugin } from '../fixtures/json-file-source/index.ts';
import { sourceRegistry } from '../helpers/sources.ts';

// A run reads users in batches of 5,000; on PostgreSQL two batches are written at once, the
// second planned before the first has committed. A login the first batch creates and the second
// repeats must still end as it would one batch after the other: the second record disputed, no
// member made twice.

const log = createLogger('silent');
const FULL: SyncOptions = { mode: 'full', preview: false, trigger: 'cli' };
const PEOPLE = 12_000;

const person = (id: string, login: string) => ({
  id,
  login,
  email: `${login.toLowerCase()}@example.org`,
  firstName: 'Given',
  lastName: login,
});

eachDatabase((kind, fixture) => {
  test(`[${kind}] batches written at once create every member once; a login repeated in a later batch is disputed`, async (t) => {
    const { database } = fixture();
    const db = database.knex;
    const scope = await fixture().newOrg();
    const users = Array.from({ length: PEOPLE }, (_, i) => person(`emp-${i}`, `person${i}`));
    // The first of each pair lands in the first batch, the second in the second and the third.
    users[10] = person('twin-first', 'twin');
    users[5_010] = person('twin-second', 'TWIN');
    users[20] = person('triplet-first', 'triplet');
    users[10_020] = person('triplet-second', 'Triplet');
    const file = path.join(tempDir('provisiond-parallel-sync-'), 'people.json');
    writeFileSync(file, JSON.stringify({ users, groups: [] }));
    const sources = [jsonFileSourceSchema.parse({ name: 'hr', type: 'json-file', path: file })];
    const sync = async () =>
      runSync(
        {
          db,
          sources: await sourceRegistry(db, log, sources, [jsonFilePlugin]),
          log,
          writers: database.writers,
        },
        scope,
        'hr',
        FULL,
      );

    const first = await sync();
    t.is(first.status, 'succeeded', first.error ?? '');
    t.like(first.counts, { created: PEOPLE - 2, disputed: 2, errors: 0 });
    const disputed = first.samples.disputed ?? [];
    t.deepEqual(disputed.map((s) => s.externalId).sort(), ['triplet-second', 'twin-second']);
    t.regex(
      disputed.find((s) => s.externalId === 'twin-second')?.detail ?? '',
      /already linked to another record of this source \(twin-first\)/,
    );
    const members = db('members').where('org_id', scope.orgId);
    t.is(Number((await members.clone().count({ n: '*' }))[0]!.n), PEOPLE - 2);
    const links = await db('identity_links as l')
      .join('members as m', 'm.id', 'l.member_id')
      .where({ 'l.org_id': scope.orgId, 'l.source': 'hr' })
      .whereIn('m.username', ['twin', 'triplet', 'person0', 'person11999'])
      .orderBy('m.username')
      .select('m.username', 'l.external_id');
    t.deepEqual(links, [
      { username: 'person0', external_id: 'emp-0' },
      { username: 'person11999', external_id: 'emp-11999' },
      { username: 'triplet', external_id: 'triplet-first' },
      { username: 'twin', external_id: 'twin-first' },
    ]);

    const again = await sync();
    t.like(again.counts, { created: 0, updated: 0, unchanged: PEOPLE - 2, disputed: 2 });
  });
});
