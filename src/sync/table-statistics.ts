import type { Knex } from 'knex';

// A first sync grows members and links from nothing to hundreds of thousands of rows in one run,
// faster than autovacuum refreshes the planner's statistics: with stale ones, each batch's look-up
// by external id turns into scans of the whole table. Statistics are refreshed each time the
// tables have doubled since the last refresh (a handful of ANALYZEs for a whole first sync).

const TABLES = ['members', 'identity_links', 'memberships', 'groups', 'group_links'];

export class TableStatistics {
  private rowsAtLastAnalyze = 0;

  constructor(private readonly db: Knex) {}

  async afterGrowth(addedSoFar: number): Promise<void> {
    if (addedSoFar < 2 * this.rowsAtLastAnalyze + 5000) return;
    this.rowsAtLastAnalyze = addedSoFar;
    await this.db.raw(`analyze ${TABLES.join(', ')}`);
  }
}
