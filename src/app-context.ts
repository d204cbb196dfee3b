import type { Config } from './config/config-schema.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import type { PasswordHasher } from './plugin-api.ts';
import type { Database } from './store/database.ts';

/** What the edges (HTTP, CLI) hand the use cases: built once at start. */
export interface AppContext {
  config: Config;
  database: Database;
  log: Logger;
  metrics: Metrics;
  hasher: PasswordHasher;
  defaultOrgId: string;
}
