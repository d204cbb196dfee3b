import type { Knex } from 'knex';

// The audit log is filtered by actor and by action, newest first (the console's audit screen).

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index audit_log_actor_idx on audit_log (org_id, actor_id, id desc)');
  await knex.raw('create index audit_log_action_idx on audit_log (org_id, action, id desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index audit_log_actor_idx');
  await knex.raw('drop index audit_log_action_idx');
}
