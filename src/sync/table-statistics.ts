import type { Knex } from 'knex';

// A first sync grows members and links from nothing to hundreds of thousands of rows in one run,
// faster than autovacuum refreshes the planner's statistics: with stale ones, each batch's look-up
// by external id turns into scans of the whole table. Statistics are refreshed each time the
// tables have doubled since the last refresh (a handful of ANALYZEs for a whole first sync).
// Users and groups are counted apart and only the tables that grew are analyzed: analyzing
// 100,000 members again while the groups are written would hold up the run for a second.
// Memberships grow with both: new members join the organization's default groups.

const TABLES = {
  users: ['members', 'identity_links', 'memberships'],
  groups: ['groups', 'group_links', 'memberships'],
} as const;

type Family = keyof typeof TABLES;

/** The rows a run has added so far: members and links, and groups and memberships. */
export type Growth = Record<Family, number>;

export class TableStatistics {
  private readonly rowsAtLastAnalyze: Growth = { users: 0, groups: 0 };

  constructor(private readonly db: Knex) {}

  async afterGrowth(addedSoFar: Growth): Promise<void> {
    const grown = (Object.keys(TABLES) as Family[]).filter(
      (family) => addedSoFar[family] >= 2 * this.rowsAtLastAnalyze[family] + 5000,
    );
    if (grown.length === 0) return;
    for (const family of grown) this.rowsAtLastAnalyze[family] = addedSoFar[family];
    const tables = new Set(grown.flatMap((family) => TABLES[family]));
    await this.db.raw(`analyze ${[...tables].join(', ')}`);
  }
}
