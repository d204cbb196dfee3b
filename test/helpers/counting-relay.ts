import { ldapRelay } from './ldap-relay.ts';
import { messageLength, operationTag } from './stalling-relay.ts';

// A relay between a client and a directory that counts the search requests the client sends and
// passes every byte untouched: how many pages a paged search has asked for at a given moment.

const SEARCH_REQUEST = 0x63;

export interface CountingRelay {
  url: string;
  /** Search requests sent through the relay so far. */
  readonly searches: number;
  close(): Promise<void>;
}

export async function countingRelay(target: { port: number }): Promise<CountingRelay> {
  let searches = 0;
  const relay = await ldapRelay(target, (client, upstream) => {
    let pending = Buffer.alloc(0);
    client.on('data', (data) => {
      upstream.write(data);
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const length = messageLength(pending);
        if (length === null || pending.length < length) return;
        if (operationTag(pending.subarray(0, length)) === SEARCH_REQUEST) searches += 1;
        pending = pending.subarray(length);
      }
    });
    upstream.on('data', (data) => client.write(data));
  });
  return {
    url: relay.url,
    get searches() {
      return searches;
    },
    close: relay.close,
  };
}
