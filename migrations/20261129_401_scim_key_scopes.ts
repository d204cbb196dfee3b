import type { Knex } from 'knex';

// What an API key may reach: the admin API (`api`), SCIM (`scim`) or both. Keys made before
// scopes existed keep reaching both, so that identity providers already connected keep working.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table api_keys add column scopes text[] not null default '{api,scim}'`);
  await knex.raw(`alter table api_keys alter column scopes set default '{api}'`);
  await knex.raw(`alter table api_keys
    add constraint api_keys_scopes_check
    check (cardinality(scopes) between 1 and 2 and scopes <@ array['api', 'scim']::text[])`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table api_keys drop column scopes');
}
