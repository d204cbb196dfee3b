import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireAdministrator } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { countGroupRoleHolders } from '../groups/group-roles.ts';
import { isUuid } from '../store/uuid.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { parseInput } from '../validation.ts';
import { type RoleRow, toRole } from './catalog-store.ts';
import { PRIVILEGES } from '../access/privileges.ts';
import { counted } from '../counted.ts';

// Custom roles: a set of privileges, a parameter grants carry — required (the partner portal's
// "Vertex ID" of hoster and attractor roles) or optional (the partner portal's default project of ds_pp) —
// and an optional exclusive set (roles of one set cannot be combined).

const roleSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    aliases: z.array(z.string().trim().min(1).max(100)).max(10),
    privileges: z
      .array(z.enum(PRIVILEGES, { message: `must be among ${PRIVILEGES.join(', ')}` }))
      .min(1, { message: 'choose at least one privilege' })
      .max(PRIVILEGES.length),
    parameterName: z.string().trim().min(1).max(100).nullable(),
    parameterRequired: z.boolean(),
    exclusiveSet: z.string().trim().min(1).max(100).nullable(),
  })
  .strict();

const createSchema = roleSchema
  .partial({ aliases: true, parameterName: true, parameterRequired: true, exclusiveSet: true })
  .refine((r) => r.parameterRequired === undefined || r.parameterName, {
    message: 'only a role with a parameterName can declare it required or optional',
    path: ['parameterRequired'],
  });
const updateSchema = roleSchema.partial();

async function findRoleRow(
  db: Knex | Knex.Transaction,
  orgId: string,
  ref: string,
): Promise<RoleRow> {
  const query = db<RoleRow>('roles').where('org_id', orgId);
  if (isUuid(ref)) query.andWhere('id', ref);
  else query.andWhereRaw('lower(name) = lower(?)', [ref]);
  const row = await query.first();
  if (!row) throw new NotFoundError('role', ref);
  return row;
}

export async function createRole(db: Knex, scope: Scope, input: unknown) {
  requireAdministrator(scope.actor, 'defining roles');
  const role = parseInput(createSchema, input);
  try {
    return await db.transaction(async (trx) => {
      const [row] = await trx<RoleRow>('roles')
        .insert({
          org_id: scope.orgId,
          name: role.name,
          aliases: role.aliases ?? [],
          privileges: [...new Set(role.privileges)],
          parameter_name: role.parameterName ?? null,
          parameter_required: role.parameterRequired ?? true,
          exclusive_set: role.exclusiveSet ?? null,
          builtin: false,
        } as never)
        .returning('*');
      const created = toRole(row!);
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'role.create',
        targetType: 'role',
        targetId: created.id,
        after: created,
      });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'roles_name_key'))
      throw new ConflictError(`a role named "${role.name}" already exists`);
    throw error;
  }
}

export async function updateRole(db: Knex, scope: Scope, ref: string, input: unknown) {
  requireAdministrator(scope.actor, 'changing roles');
  const patch = parseInput(updateSchema, input);
  return db.transaction(async (trx) => {
    const before = toRole(await findRoleRow(trx, scope.orgId, ref));
    if (before.builtin && (patch.name !== undefined || patch.privileges !== undefined)) {
      throw new ConflictError(
        `${before.name} is a built-in role: its name and privileges cannot change; define a custom role instead`,
      );
    }
    const [row] = await trx<RoleRow>('roles')
      .where('id', before.id)
      .update({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.aliases !== undefined && { aliases: patch.aliases }),
        ...(patch.privileges !== undefined && { privileges: [...new Set(patch.privileges)] }),
        ...(patch.parameterName !== undefined && { parameter_name: patch.parameterName }),
        ...(patch.parameterRequired !== undefined && {
          parameter_required: patch.parameterRequired,
        }),
        ...(patch.exclusiveSet !== undefined && { exclusive_set: patch.exclusiveSet }),
      } as never)
      .returning('*');
    const after = toRole(row!);
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'role.update',
      targetType: 'role',
      targetId: before.id,
      before,
      after,
    });
    return after;
  });
}

export async function deleteRole(db: Knex, scope: Scope, ref: string) {
  requireAdministrator(scope.actor, 'deleting roles');
  return db.transaction(async (trx) => {
    const role = toRole(await findRoleRow(trx, scope.orgId, ref));
    if (role.builtin)
      throw new ConflictError(`${role.name} is a built-in role and cannot be deleted`);
    const holders = await trx('members').where('role_id', role.id).count({ n: '*' }).first();
    const extra = await trx('member_roles').where('role_id', role.id).count({ n: '*' }).first();
    const count =
      Number(holders?.n ?? 0) + Number(extra?.n ?? 0) + (await countGroupRoleHolders(trx, role.id));
    if (count > 0)
      throw new ConflictError(
        `role ${role.name} is held by ${counted(count, 'member')}; give them another role first`,
      );
    await trx('roles').where('id', role.id).delete();
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'role.delete',
      targetType: 'role',
      targetId: role.id,
      before: role,
    });
    return role;
  });
}
