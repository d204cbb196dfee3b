import test from 'ava';
import { crossSiteReason } from '../../src/http/csrf/csrf-token.ts';

// A same-origin form of a no-referrer page comes with "Origin: null": the browser's
// Sec-Fetch-Site decides. Without Fetch Metadata, the Origin must be the daemon's.

const allowed = ['http://127.0.0.1:8080'];

test('a same-origin form of a no-referrer page passes', (t) => {
  t.is(crossSiteReason({ origin: 'null', secFetchSite: 'same-origin' }, allowed), null);
});

test('another site, or a null origin without Fetch Metadata, is refused', (t) => {
  t.truthy(crossSiteReason({ origin: 'null', secFetchSite: 'cross-site' }, allowed));
  t.truthy(crossSiteReason({ origin: 'null' }, allowed));
  t.truthy(crossSiteReason({ origin: 'https://evil.example' }, allowed));
  t.truthy(
    crossSiteReason({ origin: 'https://evil.example', secFetchSite: 'same-origin' }, allowed),
    'a named foreign origin is refused whatever Sec-Fetch-Site says',
  );
  t.is(crossSiteReason({ origin: 'http://127.0.0.1:8080' }, allowed), null);
});
