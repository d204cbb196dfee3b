import test from 'ava';
import { counted } from '../../src/counted.ts';

test('a count takes the singular for one and the plural otherwise', (t) => {
  t.is(counted(1, 'member'), '1 member');
  t.is(counted(0, 'member'), '0 members');
  t.is(counted(3, 'member'), '3 members');
  t.is(counted(2, 'entry', 'entries'), '2 entries');
  t.is(counted(1, 'entry', 'entries'), '1 entry');
});
