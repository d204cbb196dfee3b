import type { Knex } from 'knex';

// The members list sorts the console offers that no index served yet: last sign-in (never signed
// in last, both ways), first name, last change. Like the other listing indexes they end with the
// id, the tie-breaker of the sort, so that a sorted page of 50 reads 50 index entries.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'create index members_org_last_sign_in_idx on members (org_id, last_sign_in_at, id)',
  );
  await knex.raw(
    'create index members_org_last_sign_in_desc_idx on members (org_id, last_sign_in_at desc nulls last, id desc)',
  );
  await knex.raw(
    'create index members_org_first_name_idx on members (org_id, lower(first_name), id)',
  );
  await knex.raw('create index members_org_updated_idx on members (org_id, updated_at, id)');
}

export async function down(knex: Knex): Promise<void> {
  for (const name of [
    'members_org_last_sign_in_idx',
    'members_org_last_sign_in_desc_idx',
    'members_org_first_name_idx',
    'members_org_updated_idx',
  ])
    await knex.raw(`drop index ${name}`);
}
