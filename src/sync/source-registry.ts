import type { Knex } from 'knex';
import type { SourceEntry } from '../config/config-schema.ts';
import { resolveSecret } from '../config/secrets.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { findLocalAccount } from '../members/local-accounts.ts';
import type { Logger } from '../observability/logger.ts';
import type { IdentitySource, IdentitySourcePlugin, SourceContext } from '../plugin-api.ts';
import { builtinPlugin } from '../../plugins/builtin/index.ts';
import { ldapPlugin } from '../../plugins/ldap/index.ts';

// The built-in plugins by type. A source of another type would name an npm package (not yet).
const PLUGINS: ReadonlyMap<string, IdentitySourcePlugin> = new Map([builtinPlugin, ldapPlugin].map((p) => [p.type, p]));

export function sourceContext(db: Knex, orgId: string, sourceName: string, log: Logger): SourceContext {
  return {
    orgId,
    log: { info: (obj, msg) => log.info({ source: sourceName, ...obj }, msg), warn: (obj, msg) => log.warn({ source: sourceName, ...obj }, msg) },
    findLocalAccount: (login) => findLocalAccount(db, orgId, login),
    async findLinkedMember(externalId) {
      const row = await db('identity_links as l').join('members as m', 'm.id', 'l.member_id')
        .where({ 'l.org_id': orgId, 'l.source': sourceName, 'l.external_id': externalId }).first('m.id', 'm.status');
      return row ? { memberId: row.id as string, status: row.status as 'pending' | 'active' | 'disabled' } : null;
    },
    resolveSecret,
  };
}

export function findSourceConfig(sources: SourceEntry[], name: string): SourceEntry {
  const entry = sources.find((s) => s.name === name);
  if (!entry) throw new NotFoundError('source', name);
  return entry;
}

export function createSource(entry: SourceEntry, context: SourceContext): IdentitySource {
  const plugin = PLUGINS.get(entry.type);
  if (!plugin) throw ValidationError.field('type', `no plugin for sources of type "${entry.type}"`);
  return plugin.create(entry, context);
}
