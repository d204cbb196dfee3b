import test from 'ava';
import type { Request } from 'express';
import { returnToOf } from '../../src/http/auth/return-to.ts';

// The sign-in page sends the browser back only to a console path of the daemon itself.

const request = (returnTo: unknown, body?: unknown) =>
  ({ query: returnTo === undefined ? {} : { returnTo }, body }) as unknown as Request;

test('console paths are followed, with their query', (t) => {
  t.is(returnToOf(request('/console')), '/console');
  t.is(returnToOf(request('/console/members?status=active')), '/console/members?status=active');
  t.is(returnToOf(request(undefined, { returnTo: '/console/codes' })), '/console/codes');
});

test('anything else is ignored: other sites, other paths, look-alikes', (t) => {
  for (const value of [
    'https://evil.example/console',
    '//evil.example/console',
    '/consoles',
    '/console.evil',
    '/auth/sign-in',
    '/console\\..\\evil',
    ['/console'],
    `/console/${'x'.repeat(2001)}`,
  ])
    t.is(returnToOf(request(value)), undefined, String(value));
});
