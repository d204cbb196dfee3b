import type { Knex } from 'knex';

// SCIM: the attributes of a User that have no column of their own (name parts, title, emails,
// phone numbers, addresses, the enterprise extension…) live in members.profile; a group may
// carry the identity provider's externalId.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table members add column profile jsonb not null default '{}'`);
  await knex.raw('alter table groups add column external_id text');
  await knex.raw(
    'create index groups_external_id_idx on groups (org_id, external_id) where external_id is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index groups_external_id_idx');
  await knex.raw('alter table groups drop column external_id');
  await knex.raw('alter table members drop column profile');
}
