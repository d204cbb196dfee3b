import type { Knex } from 'knex';
import { rawRows } from '../store/raw-rows.ts';
import { listRuns } from '../sync/sync-runs.ts';
import { findOrganization } from '../orgs/organizations.ts';

// The organization at a glance (the console's Members card): members by status and by user type,
// pending invitations, licences in use, the membership limit and how much of it is used, and
// each configured source with its last run. Counts only: a few grouped reads, whatever the size.

export interface Overview {
  organization: { id: string; name: string };
  members: {
    total: number;
    byStatus: { pending: number; active: number; disabled: number };
    byUserType: Array<{ userType: string; count: number }>;
    signedIn: number;
  };
  pendingInvitations: number;
  licenses: Array<{ license: string; count: number }>;
  membershipLimit: { limit: number | null; used: number; available: number | null };
  sources: Array<{
    name: string;
    type: string;
    lastRun: {
      id: string | null;
      mode: string;
      status: string;
      startedAt: string;
      finishedAt: string | null;
      error: string | null;
    } | null;
  }>;
}

export async function organizationOverview(
  db: Knex,
  orgId: string,
  sources: ReadonlyArray<{ name: string; type: string }>,
): Promise<Overview> {
  const org = await findOrganization(db, orgId);
  const [statuses, userTypes, signedIn, invitations, licenses, runs] = await Promise.all([
    db('members').where('org_id', orgId).groupBy('status').select('status').count({ count: '*' }),
    db('members as m')
      .join('user_types as ut', 'ut.id', 'm.user_type_id')
      .where('m.org_id', orgId)
      .groupBy('ut.name')
      .orderBy('ut.name')
      .select({ userType: 'ut.name' }, db.raw('count(*) as count'))
      .then((rows: Array<{ userType: string; count: number }>) => rows),
    db('members').where('org_id', orgId).whereNotNull('last_sign_in_at').count({ count: '*' }),
    db('invitations')
      .where({ org_id: orgId, status: 'pending' })
      .andWhere('expires_at', '>', new Date())
      .count({ count: '*' }),
    rawRows<{ license: string; count: number }>(
      db,
      `select l as license, count(*) as count from members, unnest(licenses) as l
       where org_id = ? group by l order by l`,
      [orgId],
    ),
    Promise.all(sources.map((s) => listRuns(db, orgId, { source: s.name, limit: 1 }))),
  ]);
  const byStatus = { pending: 0, active: 0, disabled: 0 };
  for (const row of statuses) byStatus[row.status] = Number(row.count);
  const total = byStatus.pending + byStatus.active + byStatus.disabled;
  const limit = org.membershipLimit;
  return {
    organization: { id: org.id, name: org.name },
    members: {
      total,
      byStatus,
      byUserType: userTypes.map((r) => ({ userType: r.userType, count: Number(r.count) })),
      signedIn: Number(signedIn[0]?.count ?? 0),
    },
    pendingInvitations: Number(invitations[0]?.count ?? 0),
    licenses: licenses.map((r) => ({ license: r.license, count: Number(r.count) })),
    membershipLimit: {
      limit,
      used: total,
      available: limit === null ? null : Math.max(0, limit - total),
    },
    sources: sources.map((s, i) => {
      const run = runs[i]![0];
      return {
        name: s.name,
        type: s.type,
        lastRun: run
          ? {
              id: run.id,
              mode: run.mode,
              status: run.status,
              startedAt: run.startedAt,
              finishedAt: run.finishedAt,
              error: run.error,
            }
          : null,
      };
    }),
  };
}
