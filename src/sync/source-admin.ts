import type { Knex } from 'knex';
import { type Scope, requireAdministrator } from '../access/actor.ts';
import { isLdapSource } from '../config/config-schema.ts';
import { ValidationError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
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
import type { SourceRegistry } from '../sources/source-registry.ts';
import { readToken } from './sync-state.ts';
import { type SourceHealth, readHealth, resumeSource } from './source-health.ts';
import { heldRunOf, listRuns, type SyncRun } from './sync-runs.ts';

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
  health: SourceHealth;
  /** The run waiting for an administrator's decision: later runs remove nobody until then. */
  heldRun: { id: string; removals: number; startedAt: string } | null;
}

export interface AdminDeps {
  db: Knex;
  sources: SourceRegistry;
  log: Logger;
  metrics?: Metrics | undefined;
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
    deps.sources.list().map(async (entry) => {
      const source = deps.sources.get(scope.orgId, entry.name);
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
        health: await readHealth(deps.db, scope.orgId, entry.name),
        heldRun: await heldRunOf(deps.db, scope.orgId, entry.name),
      };
    }),
  );
}

/** Lifts a quarantine and the back-off: the schedule runs the source again from its next tick. */
export async function resumeQuarantined(
  deps: AdminDeps,
  scope: Scope,
  name: string,
): Promise<{ source: string; health: SourceHealth }> {
  requireAdministrator(scope.actor, 'resuming a source');
  deps.sources.config(name);
  await resumeSource(deps.db, scope.orgId, name);
  deps.metrics?.syncQuarantined.set({ source: name }, 0);
  deps.log.info({ source: name }, 'source resumed by an administrator');
  return { source: name, health: await readHealth(deps.db, scope.orgId, name) };
}

export async function testSource(
  deps: AdminDeps,
  scope: Scope,
  name: string,
): Promise<SourceTestResult & { source: string }> {
  requireAdministrator(scope.actor, 'testing a source');
  const source = deps.sources.get(scope.orgId, name);
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
  const source = deps.sources.get(scope.orgId, name);
  if (!canSearch(source))
    throw ValidationError.field('source', `the source "${name}" cannot be searched`);
  return source.search(text, limit);
}
