import type { Knex } from 'knex';
import { type Scope, requireAdministrator } from '../access/actor.ts';
import { type SourceEntry, isLdapSource } from '../config/config-schema.ts';
import { ValidationError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import {
  type DirectoryEntry,
  type IdentitySource,
  type SourceTestResult,
  canAuthenticate,
  canReadAll,
  canReadChanges,
  canSearch,
  canTest,
} from '../plugin-api.ts';
import { createSource, findSourceConfig, sourceContext } from '../sources/source-context.ts';
import { readToken } from './sync-state.ts';
import { listRuns, type SyncRun } from './sync-runs.ts';

// What administrators see of the configured sources: never a secret, only where each points.

export interface SourceSummary {
  name: string;
  type: string;
  flavor: string | null;
  url: string | null;
  schedule: { full?: string | undefined; incremental?: string | undefined } | null;
  capabilities: string[];
  token: string | null;
  lastRun: SyncRun | null;
}

export interface AdminDeps {
  db: Knex;
  sources: SourceEntry[];
  log: Logger;
}

/** The capability names administrators see, each with the guard that tells it. */
const CAPABILITIES: Record<string, (s: IdentitySource) => boolean> = {
  test: canTest,
  readAll: canReadAll,
  readChanges: canReadChanges,
  search: canSearch,
  authenticate: canAuthenticate,
};

export async function listSources(deps: AdminDeps, scope: Scope): Promise<SourceSummary[]> {
  return Promise.all(
    deps.sources.map(async (entry) => {
      const source = createSource(entry, sourceContext(deps.db, scope.orgId, entry.name, deps.log));
      const capabilities = Object.entries(CAPABILITIES)
        .filter(([, has]) => has(source))
        .map(([name]) => name);
      const [lastRun] = await listRuns(deps.db, scope.orgId, { source: entry.name, limit: 1 });
      return {
        name: entry.name,
        type: entry.type,
        flavor: isLdapSource(entry) ? entry.flavor : null,
        url: isLdapSource(entry) ? entry.url : null,
        schedule: isLdapSource(entry) ? (entry.schedule ?? null) : null,
        capabilities,
        token: await readToken(deps.db, scope.orgId, entry.name),
        lastRun: lastRun ?? null,
      };
    }),
  );
}

export async function testSource(
  deps: AdminDeps,
  scope: Scope,
  name: string,
): Promise<SourceTestResult & { source: string }> {
  requireAdministrator(scope.actor, 'testing a source');
  const source = createSource(
    findSourceConfig(deps.sources, name),
    sourceContext(deps.db, scope.orgId, name, deps.log),
  );
  if (!canTest(source))
    return { source: name, ok: false, message: `the source "${name}" cannot be tested` };
  return { source: name, ...(await source.test()) };
}

export async function searchSource(
  deps: AdminDeps,
  scope: Scope,
  name: string,
  text: string,
  limit: number,
): Promise<DirectoryEntry[]> {
  requireAdministrator(scope.actor, 'searching a directory');
  if (text.trim() === '') throw ValidationError.field('q', 'give some text to look for');
  const source = createSource(
    findSourceConfig(deps.sources, name),
    sourceContext(deps.db, scope.orgId, name, deps.log),
  );
  if (!canSearch(source))
    throw ValidationError.field('source', `the source "${name}" cannot be searched`);
  return source.search(text, limit);
}
