import test from 'ava';
import { ValidationError } from '../../src/errors.ts';
import { randomUUID } from 'node:crypto';
import {
  codeHint,
  codeMatches,
  codeStatus,
  copyText,
  countIssues,
  hashCode,
  isCodeNotId,
  newCode,
  parseCode,
  validUntil,
  validityIssues,
} from '../../src/invitations/code-rules.ts';

test('new codes are lowercase, UUID-shaped and all different', (t) => {
  const codes = Array.from({ length: 200 }, newCode);
  for (const code of codes)
    t.regex(code, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.is(new Set(codes).size, codes.length);
});

test('a code is never taken for an id: ids are version-4 UUIDs, and codes never read as one', (t) => {
  // 2,000 draws: with no redraw, about 31 would read as version-4 UUIDs.
  for (const code of Array.from({ length: 2000 }, newCode)) t.true(isCodeNotId(code), code);
  for (const id of Array.from({ length: 200 }, randomUUID)) t.false(isCodeNotId(id), id);
  t.true(isCodeNotId('0601152c-6aa0-4f6d-5e85-464249405207'), "the guide's example code");
  t.false(isCodeNotId('0601152c-6aa0-4f6d-9e85-464249405207'), 'version 4, variant 10xx: an id');
  t.false(isCodeNotId('members'), 'not in the shape of a code at all');
});

test('a code in any other form is refused with the expected format shown', (t) => {
  t.is(parseCode(' 0601152c-6aa0-4f6d-5e85-464249405207 '), '0601152c-6aa0-4f6d-5e85-464249405207');
  for (const bad of [
    '',
    'abc',
    '0601152C-6AA0-4F6D-5E85-464249405207',
    '0601152c6aa04f6d5e85464249405207',
    '0601152c-6aa0-4f6d-5e85-46424940520g',
    '{0601152c-6aa0-4f6d-5e85-464249405207}',
    42,
    null,
  ]) {
    const error = t.throws(() => parseCode(bad), { instanceOf: ValidationError });
    t.regex(error.message, /xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/);
  }
});

test('count 1-10 and validity 1-90 days', (t) => {
  t.is(countIssues(1), null);
  t.is(countIssues(10), null);
  t.regex(countIssues(11)!, /1 to 10/);
  t.truthy(countIssues(0));
  t.truthy(countIssues(2.5));
  t.is(validityIssues(1), null);
  t.is(validityIssues(90), null);
  t.regex(validityIssues(0)!, /1 to 90/);
  t.truthy(validityIssues(91));
  t.is(validUntil(new Date('2022-09-20T00:00:00Z'), 10).toISOString(), '2022-09-30T00:00:00.000Z');
});

test('status: disabled over used over expired, else valid', (t) => {
  const now = new Date('2022-09-25T00:00:00Z');
  const future = new Date('2022-09-30T00:00:00Z');
  const past = new Date('2022-09-20T00:00:00Z');
  t.is(codeStatus({ disabledAt: null, usedAt: null, validUntil: future }, now), 'valid');
  t.is(codeStatus({ disabledAt: null, usedAt: null, validUntil: past }, now), 'expired');
  t.is(codeStatus({ disabledAt: null, usedAt: past, validUntil: past }, now), 'used');
  t.is(codeStatus({ disabledAt: past, usedAt: null, validUntil: future }, now), 'disabled');
  t.is(
    codeStatus({ disabledAt: null, usedAt: null, validUntil: now }, now),
    'expired',
    'valid until is exclusive',
  );
});

test('hashes compare in constant time, hints show only four characters, copy carries scope and date', (t) => {
  const code = newCode();
  t.true(codeMatches(code, hashCode(code)));
  t.false(codeMatches(newCode(), hashCode(code)));
  t.is(codeHint(code), `${code.slice(0, 4)}…`);
  t.is(
    copyText(['a', 'b'], 'Default Group', new Date('2022-09-30T10:00:00Z')),
    'Invitation codes for Default Group, valid until 2022-09-30:\na\nb\n',
  );
});
