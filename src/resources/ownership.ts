import type { Knex } from 'knex';
import { ValidationError } from '../errors.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { isUuid } from '../store/uuid.ts';

// What a deleted member or API key owns is transferred to another member
// who may own content, or deleted with its owner (its access entries go with it).

export type Owner = { memberId: string } | { keyId: string };

const OWNING_PRIVILEGE = 'create_content';

async function eligibleRecipient(
  trx: Knex.Transaction,
  orgId: string,
  ref: string,
  owner: Owner,
): Promise<string> {
  const query = trx('members as m')
    .join('roles as r', 'r.id', 'm.role_id')
    .where('m.org_id', orgId)
    .select('m.id', 'm.status', 'm.username', 'r.privileges', 'r.name as role_name');
  if (isUuid(ref)) query.andWhere('m.id', ref);
  else query.andWhereRaw('lower(m.username) = lower(?)', [ref]);
  const target = (await query.first()) as
    | { id: string; status: string; username: string; privileges: string[]; role_name: string }
    | undefined;
  if (!target)
    throw ValidationError.field(
      'transferTo',
      `no member ${JSON.stringify(ref)} in this organization`,
    );
  if ('memberId' in owner && target.id === owner.memberId)
    throw ValidationError.field('transferTo', 'cannot be the member being deleted');
  if (target.status !== 'active')
    throw ValidationError.field(
      'transferTo',
      `member ${target.username} is ${target.status}; only an active member can receive ownership`,
    );
  if (!target.privileges.includes(OWNING_PRIVILEGE)) {
    throw ValidationError.field(
      'transferTo',
      `member ${target.username} has the role ${target.role_name}, which cannot own resources`,
    );
  }
  return target.id;
}

export async function transferOrDeleteOwned(
  trx: Knex.Transaction,
  orgId: string,
  owner: Owner,
  transferTo: string | undefined,
): Promise<{ transferredTo: string | null; transferred: number; deleted: number }> {
  const owned = trx('resources')
    .where('org_id', orgId)
    .andWhere(
      'memberId' in owner ? { owner_member_id: owner.memberId } : { owner_key_id: owner.keyId },
    );
  if (transferTo !== undefined) {
    const recipient = await eligibleRecipient(trx, orgId, transferTo, owner);
    const transferred = affectedRows(
      await owned.clone().update({ owner_member_id: recipient, owner_key_id: null }),
    );
    return { transferredTo: recipient, transferred, deleted: 0 };
  }
  const deleted = affectedRows(await owned.clone().delete());
  return { transferredTo: null, transferred: 0, deleted };
}
