import test from 'ava';
import { MembersBeingCreated } from '../../src/sync/members-being-created.ts';
import type { Correlation } from '../../src/sync/user-plan.ts';

// What a batch planned before an earlier batch committed finds of the members that batch creates.

const none: Correlation = { link: undefined, byUsername: [], byEmail: [] };
const ada = { username: 'Ada', email: 'Ada@Example.org' };

test('a member being created is found by username and email, whatever the case', (t) => {
  const creating = new MembersBeingCreated();
  creating.add(ada, 'uid=ada');
  const found = creating.addTo(none, { username: 'ADA', email: 'ada@example.ORG' });
  t.deepEqual(found.byUsername, [{ memberId: 'created for uid=ada', linkedTo: 'uid=ada' }]);
  t.deepEqual(found.byEmail, [{ memberId: 'created for uid=ada', linkedTo: 'uid=ada' }]);
  t.deepEqual(creating.addTo(none, { username: 'grace', email: null }), none);
});

test('a member the reads already found, linked to the same record, is not added twice', (t) => {
  const creating = new MembersBeingCreated();
  creating.add(ada, 'uid=ada');
  const read: Correlation = {
    link: undefined,
    byUsername: [{ memberId: 'm-1', linkedTo: 'uid=ada' }],
    byEmail: [],
  };
  t.deepEqual(creating.addTo(read, { username: 'ada', email: null }).byUsername, read.byUsername);
});

test('once committed, a member is kept for the batch being planned, then left to the database', (t) => {
  const creating = new MembersBeingCreated();
  creating.add(ada, 'uid=ada');
  creating.committedBatch([[ada, 'uid=ada']]);
  t.is(creating.addTo(none, { username: 'ada', email: null }).byUsername.length, 1);
  creating.batchPlanned();
  t.deepEqual(creating.addTo(none, { username: 'ada', email: 'ada@example.org' }), none);
});

test('a creation that failed is forgotten, but not a later record of the same username', (t) => {
  const creating = new MembersBeingCreated();
  creating.add(ada, 'uid=ada');
  creating.forget(ada, 'uid=other');
  t.is(creating.addTo(none, { username: 'ada', email: null }).byUsername.length, 1);
  creating.forget(ada, 'uid=ada');
  t.deepEqual(creating.addTo(none, { username: 'ada', email: 'ada@example.org' }), none);
});
