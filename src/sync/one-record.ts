import type { Knex } from 'knex';
import type { UnmatchedReaction } from './reactions.ts';
import { type Actor, type Scope, requireAdministrator } from '../access/actor.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { IdentitySource, SourceGroup, SourceUser } from '../plugin-api.ts';
import type { SourceRegistry } from '../sources/source-registry.ts';
import {
  type GroupBatchContext,
  orgGroupName,
  removeDeferred,
  syncGroupBatch,
} from './group-sync.ts';
import { sourceGroupsOf } from './group-links.ts';
import { mapUser } from './member-mapping.ts';
import { inStep } from './run-step.ts';
import { type SyncPolicy, policyOf } from './sync-policy.ts';
import { type AttributeChange, Samples, emptyCounts, type Counts } from './sync-types.ts';
import { type UserBatchContext, mappingContext, processUsers } from './user-batch.ts';
import { planUser } from './user-plan.ts';
import { correlateBatch } from './user-store.ts';
import { MembersBeingCreated } from './members-being-created.ts';
import { counted } from '../counted.ts';

// One person, or one group's members, through the same engine as a run: the same mapping,
// correlation, reactions, links and audit, without reading the whole directory. Provision on
// demand explains each step (and with `preview` writes nothing); add on the spot brings in a user
// chosen from `ldap search`, or a group's members, and refuses what the source's scope leaves out.

export interface OneRecordDeps {
  db: Knex;
  sources: SourceRegistry;
  log: Logger;
  clock?: () => Date;
  /** Reactions to unmatched records beyond create and ignore (the invitations' `invite`). */
  reactions?: readonly UnmatchedReaction[];
}

export interface ProvisionReport {
  source: string;
  login: string;
  preview: boolean;
  /** Each step in words, in order: what an administrator reads to see why. */
  steps: string[];
  found: { dn: string; externalId: string; attributes: Record<string, string[]> };
  inScope: boolean;
  outOfScope: string | null;
  situation: string | null;
  /** created, linked, updated, enabled, disabled, unchanged, invited, ignored, disputed, errors, none */
  action: string;
  memberId: string | null;
  changes: AttributeChange[];
  groups: { joined: string[]; left: string[] };
}

interface Prepared {
  source: IdentitySource;
  policy: SyncPolicy;
  actor: Actor;
}

function prepare(
  deps: OneRecordDeps,
  scope: Scope,
  sourceName: string,
  what: string,
  capability: 'findUser' | 'findGroup',
): Prepared {
  requireAdministrator(scope.actor, what);
  const entry = deps.sources.config(sourceName);
  const source = deps.sources.get(scope.orgId, sourceName);
  if (typeof source[capability] !== 'function')
    throw ValidationError.field(
      'source',
      `the source "${sourceName}" (type ${entry.type}) is not a directory that can be looked up`,
    );
  return {
    source,
    policy: policyOf(entry),
    actor: { ...scope.actor, label: `${scope.actor.label} (${what}, ${sourceName})` },
  };
}

async function batchContext(
  deps: OneRecordDeps,
  scope: Scope,
  p: Prepared,
  preview: boolean,
  counts: Counts,
): Promise<UserBatchContext> {
  return {
    db: deps.db,
    reactions: deps.reactions ?? [],
    preview,
    orgId: scope.orgId,
    policy: p.policy,
    actor: p.actor,
    counts,
    samples: new Samples(),
    claimed: new Set(),
    creating: new MembersBeingCreated(),
    mapping: await mappingContext(deps.db, scope.orgId, p.policy),
    clock: deps.clock ?? (() => new Date()),
  };
}

/** The groups as a run would apply them, touching no one else's removals (they are the run's). */
async function applyGroups(
  deps: OneRecordDeps,
  scope: Scope,
  p: Prepared,
  groups: SourceGroup[],
  users: SourceUser[],
  counts: Counts,
): Promise<void> {
  if (groups.length === 0) return;
  const mine = new Set(users.map((u) => u.externalId));
  const ctx: GroupBatchContext = {
    orgId: scope.orgId,
    source: p.policy.source,
    actor: p.actor,
    groupNames: p.policy.groupNames,
    counts,
    samples: new Samples(),
    membersLinked: () => true,
    userSeen: (externalId) => mine.has(externalId),
    deferred: [],
  };
  await inStep(deps.db, false, (step) => syncGroupBatch(step, ctx, groups));
}

const ACTIONS: Array<keyof Counts> = [
  'created',
  'linked',
  'updated',
  'enabled',
  'disabled',
  'invited',
  'ignored',
  'disputed',
  'errors',
  'unchanged',
];

export async function provisionOne(
  deps: OneRecordDeps,
  scope: Scope,
  sourceName: string,
  request: { login: string; preview: boolean },
): Promise<ProvisionReport> {
  const p = prepare(deps, scope, sourceName, 'provisioning one user on demand', 'findUser');
  return explain(deps, scope, p, sourceName, request.login, request.preview, false);
}

/** Add on the spot: one directory user, created or linked exactly as a run would. */
export async function addDirectoryUser(
  deps: OneRecordDeps,
  scope: Scope,
  sourceName: string,
  login: string,
): Promise<ProvisionReport> {
  const p = prepare(deps, scope, sourceName, 'adding a directory user', 'findUser');
  return explain(deps, scope, p, sourceName, login, false, true);
}

async function explain(
  deps: OneRecordDeps,
  scope: Scope,
  p: Prepared,
  sourceName: string,
  login: string,
  preview: boolean,
  refuseOutOfScope: boolean,
): Promise<ProvisionReport> {
  if (login.trim() === '') throw ValidationError.field('login', 'give the login to look up');
  const found = await p.source.findUser!(login);
  if (!found) throw new NotFoundError('directory user', login, `source "${sourceName}"`);
  const { user } = found;
  const steps = [
    `found in ${sourceName}: ${found.dn} (external id ${user.externalId}), ${counted(Object.keys(found.attributes).length, 'attribute')} read`,
  ];
  const report: ProvisionReport = {
    source: sourceName,
    login: user.login,
    preview,
    steps,
    found: { dn: found.dn, externalId: user.externalId, attributes: found.attributes },
    inScope: found.outOfScope === null,
    outOfScope: found.outOfScope,
    situation: null,
    action: 'none',
    memberId: null,
    changes: [],
    groups: { joined: [], left: [] },
  };
  const { db } = deps;
  const [link] = await correlateBatch(
    db,
    scope.orgId,
    p.policy.source,
    [{ externalId: user.externalId, username: null, email: null }],
    [],
  );
  if (found.outOfScope) {
    if (refuseOutOfScope)
      throw ValidationError.field(
        'login',
        `${user.login} is out of the scope of source "${sourceName}": ${found.outOfScope}`,
      );
    steps.push(`out of scope: ${found.outOfScope}`);
    if (link?.link) {
      report.memberId = link.link.memberId;
      steps.push(
        `the member linked to this record is treated as gone by the next full run: ${p.policy.onDeleted}`,
      );
    } else steps.push('nothing to do: the source does not provision this user');
    return report;
  }
  steps.push('in scope');
  const counts = emptyCounts();
  const ctx = await batchContext(deps, scope, p, true, counts);
  const mapped = mapUser(user, ctx.mapping);
  if (mapped.ok)
    steps.push(
      `mapped: username ${mapped.member.username}, email ${mapped.member.email}, name ${mapped.member.displayName}${mapped.member.roleId ? ', role from a role rule' : ''}`,
    );
  else steps.push(`mapping failed: ${mapped.reason}`);
  const [correlation] = await correlateBatch(
    db,
    scope.orgId,
    p.policy.source,
    [
      {
        externalId: user.externalId,
        username: mapped.ok ? mapped.member.username : null,
        email: mapped.ok ? mapped.member.email : null,
      },
    ],
    p.policy.correlate,
  );
  const decision = planUser(user, mapped, correlation!, p.policy.correlate);
  steps.push(
    correlation!.link
      ? 'correlation: already linked to a member by this record'
      : `correlation by ${p.policy.correlate.join(' and ')}: ${counted(correlation!.byUsername.length, 'member')} by username, ${correlation!.byEmail.length} by email`,
  );
  report.situation = decision.situation;
  steps.push(`situation: ${decision.situation}`);
  const memberId =
    decision.kind === 'update' || decision.kind === 'link'
      ? decision.memberId
      : (correlation!.link?.memberId ?? null);
  const before = memberId ? await memberFields(db, memberId) : null;
  if ('member' in decision) {
    const status =
      'status' in decision && decision.status !== 'keep'
        ? decision.status
        : decision.member.disabled
          ? 'disabled'
          : (before?.status ?? 'active');
    const after: Record<string, string | null> = {
      username: decision.member.username,
      email: decision.member.email,
      firstName: decision.member.firstName,
      lastName: decision.member.lastName,
      displayName: decision.member.displayName,
      status,
    };
    for (const [field, value] of Object.entries(after)) {
      const was = before?.[field] ?? null;
      if (was !== value && !(field === 'username' && decision.kind !== 'unmatched'))
        report.changes.push({ field, before: was, after: value });
    }
  }
  // The action: what the run's own code counts for this record (previewed, then applied).
  await processUsers(ctx, [user]);
  report.action = ACTIONS.find((k) => counts[k] > 0) ?? 'none';
  if (decision.kind === 'disputed' || decision.kind === 'error')
    steps.push(`action: ${report.action} — ${decision.reason}`);
  else steps.push(`action: ${report.action}${preview ? ' (preview: nothing written)' : ''}`);
  for (const c of report.changes) steps.push(`${c.field}: ${c.before ?? '∅'} → ${c.after ?? '∅'}`);
  if (!preview && report.action !== 'unchanged' && report.action !== 'none') {
    const applied = emptyCounts();
    await processUsers(await batchContext(deps, scope, p, false, applied), [user]);
    report.action = ACTIONS.find((k) => applied[k] > 0) ?? report.action;
  }
  const linked = !preview
    ? (
        await correlateBatch(
          db,
          scope.orgId,
          p.policy.source,
          [{ externalId: user.externalId, username: null, email: null }],
          [],
        )
      )[0]?.link
    : correlation!.link;
  report.memberId = linked?.memberId ?? memberId;
  await explainGroups(deps, scope, p, found.groups, user, report, preview, linked?.memberId);
  return report;
}

async function explainGroups(
  deps: OneRecordDeps,
  scope: Scope,
  p: Prepared,
  groups: SourceGroup[],
  user: SourceUser,
  report: ProvisionReport,
  preview: boolean,
  memberId: string | undefined,
): Promise<void> {
  const current = memberId
    ? await sourceGroupsOf(deps.db, scope.orgId, p.policy.source, memberId)
    : [];
  const inDirectory = new Set(groups.map((g) => g.externalId));
  const have = new Set(current.map((g) => g.externalId));
  report.groups.joined = groups
    .filter((g) => !have.has(g.externalId))
    .map((g) => orgGroupName(g, p.policy.groupNames));
  const leaving = current.filter((g) => !inDirectory.has(g.externalId));
  report.groups.left = leaving.map((g) => g.name);
  report.steps.push(
    `groups: ${groups.length} in the directory; joins ${report.groups.joined.join(', ') || 'none'}; leaves ${report.groups.left.join(', ') || 'none'}`,
  );
  if (preview || !memberId) return;
  await applyGroups(deps, scope, p, groups, [user], emptyCounts());
  if (leaving.length > 0)
    await deps.db.transaction((trx) =>
      removeDeferred(
        trx,
        scope.orgId,
        p.actor,
        leaving.map((g) => [g.groupId, memberId]),
      ),
    );
}

async function memberFields(db: Knex, memberId: string): Promise<Record<string, string | null>> {
  const row = (await db('members')
    .where('id', memberId)
    .first('username', 'email', 'first_name', 'last_name', 'display_name', 'status')) as
    | Record<string, string | null>
    | undefined;
  if (!row) return {};
  return {
    username: row.username ?? null,
    email: row.email ?? null,
    firstName: row.first_name ?? null,
    lastName: row.last_name ?? null,
    displayName: row.display_name ?? null,
    status: row.status ?? null,
  };
}

export interface GroupAddReport {
  source: string;
  group: string;
  dn: string;
  counts: Counts;
  members: string[];
  skipped: Array<{ member: string; reason: string }>;
}

/** Add on the spot: the members of one directory group (nested groups as the source reads them), and the group. */
export async function addDirectoryGroup(
  deps: OneRecordDeps,
  scope: Scope,
  sourceName: string,
  nameOrDN: string,
): Promise<GroupAddReport> {
  const p = prepare(deps, scope, sourceName, "adding a directory group's members", 'findGroup');
  if (nameOrDN.trim() === '') throw ValidationError.field('group', 'give the group name or DN');
  const found = await p.source.findGroup!(nameOrDN);
  if (!found) throw new NotFoundError('directory group', nameOrDN, `source "${sourceName}"`);
  if (found.outOfScope)
    throw ValidationError.field(
      'group',
      `${found.dn} is out of the scope of source "${sourceName}": ${found.outOfScope}`,
    );
  const counts = emptyCounts();
  const ctx = await batchContext(deps, scope, p, false, counts);
  for (let i = 0; i < found.users.length; i += 5000)
    await processUsers(ctx, found.users.slice(i, i + 5000));
  await applyGroups(deps, scope, p, [found.group], found.users, counts);
  return {
    source: sourceName,
    group: orgGroupName(found.group, p.policy.groupNames),
    dn: found.dn,
    counts,
    members: found.users.map((u) => u.login),
    skipped: found.skipped,
  };
}
