import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { createLogger } from '../../src/observability/logger.ts';
import { runSync, type SyncOptions } from '../../src/sync/run-sync.ts';
import { tempDir } from '../helpers/daemon.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { jsonFileSourceSchema } from '../fixtures/json-file-source/config.ts';
import { jsonFilePlugin } from '../fixtures/json-file-source/index.ts';
import { sourceRegistry } from '../helpers/sources.ts';

// The example plugin of docs/writing-a-source-plugin.md, loaded as a third party's plugin would
// be and synced by the real engine: the proof that a source can be added through the SPI alone.

const log = createLogger('silent');
const FULL: SyncOptions = { mode: 'full', preview: false, trigger: 'cli' };

const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `emp-${i}`,
    login: `person${i}`,
    email: `person${i}@example.org`,
    firstName: `Given${i}`,
    lastName: `Family${i}`,
  }));

eachDatabase((kind, fixture) => {
  test(`[${kind}] the JSON-file example plugin syncs members and groups, and an unreadable file removes no one`, async (t) => {
    const db = fixture().database.knex;
    const scope = await fixture().newOrg();
    const file = path.join(tempDir('provisiond-json-source-'), 'people.json');
    const write = (users: ReturnType<typeof people>) =>
      writeFileSync(
        file,
        JSON.stringify({
          users,
          groups: [{ id: 'g-eng', name: 'Engineering', members: ['person0', 'PERSON1'] }],
        }),
      );
    const sources = [
      jsonFileSourceSchema.parse({ name: 'hr-file', type: 'json-file', path: file }),
    ];
    const sync = async () =>
      runSync(
        { db, sources: await sourceRegistry(db, log, sources, [jsonFilePlugin]), log },
        scope,
        'hr-file',
        FULL,
      );

    write(people(12));
    const first = await sync();
    t.like(first, { status: 'succeeded', mode: 'full' });
    t.like(first.counts, { created: 12, membershipsAdded: 2 });
    const eng = await db('memberships as ms')
      .join('groups as g', 'g.id', 'ms.group_id')
      .join('members as m', 'm.id', 'ms.member_id')
      .where({ 'g.org_id': scope.orgId, 'g.name': 'Engineering' })
      .orderBy('m.username')
      .pluck('m.username');
    t.deepEqual(eng, ['person0', 'person1']);
    t.like((await sync()).counts, { created: 0, updated: 0 }, 'the same file writes nothing');

    write(people(11));
    t.like((await sync()).counts, { disabled: 1 });

    rmSync(file);
    const broken = await sync();
    t.like(broken, { status: 'failed' });
    t.like(broken.counts, { disabled: 0, deleted: 0 });
    t.regex(broken.error ?? '', /cannot read/);
  });
});
