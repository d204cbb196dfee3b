import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from '../observability/logger.ts';

// Daemons remember a verified API key for a few seconds. When several daemons (and the CLI)
// share one PostgreSQL, a key deleted by one must be refused by all at once: the deletion
// notifies the others (NOTIFY, delivered when its transaction commits), and each daemon listens.
// While a daemon is not listening (the connection dropped, not yet reconnected), it trusts no
// remembered key: every request reads the key again.

const CHANNEL = 'provisiond_api_key_revoked';

type Forget = (keyId: string | null) => void;

const forgetters: Forget[] = [];
let listening = true;

/** Whether remembered keys may be used: always on the embedded database (one process). */
export function rememberedKeysTrusted(): boolean {
  return listening;
}

export function onRevocation(forget: Forget): void {
  forgetters.push(forget);
}

/** Tells every daemon on the database that the key is gone (a no-op on the embedded database). */
export async function announceRevocation(trx: Knex | Knex.Transaction, keyId: string) {
  if (trx.client.config.client !== 'pg') return;
  await trx.raw('select pg_notify(?, ?)', [CHANNEL, keyId]);
}

export interface RevocationListener {
  close(): Promise<void>;
}

/** Listens for revocations from the other processes on PostgreSQL; reconnects when dropped. */
export function listenForRevocations(url: string, log: Logger): RevocationListener {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const distrust = () => {
    listening = false;
    for (const forget of forgetters) forget(null);
  };
  const connect = async () => {
    distrust();
    const next = new pg.Client({ connectionString: url });
    client = next;
    next.on('notification', (message) => {
      for (const forget of forgetters) forget(message.payload ?? null);
    });
    next.on('error', (error) => {
      log.warn({ err: error }, 'API key revocation listener lost its connection; reconnecting');
      next.end().catch(() => undefined);
      if (!closed && client === next) retry = setTimeout(connect, 1000);
    });
    try {
      await next.connect();
      await next.query(`listen ${CHANNEL}`);
      if (client === next && !closed) listening = true;
    } catch (error) {
      log.warn({ err: error }, 'API key revocation listener cannot connect; retrying');
      next.end().catch(() => undefined);
      if (!closed && client === next) retry = setTimeout(connect, 1000);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
