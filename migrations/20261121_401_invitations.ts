import type { Knex } from 'knex';

// Invitation codes (seed 000, R-INV-7…12). Only a SHA-256 of each code is kept (codes carry 122
// random bits, so a slow hash would add only latency) plus its first four characters, so that the
// management list can tell codes apart without being able to hand them out again. `used_at` set
// by one conditional update is what makes a code single-use under concurrent redemptions.
// Administrators of a scope (the organization or one group) are the members who redeemed a code
// carrying an administrator role; they may create codes for that scope only.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invitation_codes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.binary('code_hash').notNullable().unique();
    t.text('code_hint').notNullable();
    t.uuid('group_id').nullable().references('groups.id').onDelete('CASCADE');
    t.specificType('role_ids', 'uuid[]').notNullable();
    t.uuid('batch_id').notNullable();
    t.text('created_by').notNullable();
    t.uuid('created_by_member_id').nullable().references('members.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('valid_until', { useTz: true }).notNullable();
    t.timestamp('disabled_at', { useTz: true }).nullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.uuid('used_by_member_id').nullable().references('members.id').onDelete('SET NULL');
  });
  await knex.raw(`alter table invitation_codes
    add constraint invitation_codes_roles_check check (coalesce(array_length(role_ids, 1), 0) >= 1),
    add constraint invitation_codes_validity_check check (valid_until > created_at and valid_until <= created_at + interval '90 days 1 minute')`);
  await knex.raw(
    'create index invitation_codes_org_created_idx on invitation_codes (org_id, created_at desc, id)',
  );

  await knex.schema.createTable('scope_administrators', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.uuid('group_id').nullable().references('groups.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One row per member and scope; the organization scope is the null group.
  await knex.raw(`create unique index scope_administrators_key on scope_administrators
    (member_id, coalesce(group_id, '00000000-0000-0000-0000-000000000000'::uuid))`);

  // Failed code redemptions per member and per client address within a window (R-INV-12), in the
  // database so that every daemon on one PostgreSQL and a restart agree.
  await knex.schema.createTable('code_redeem_failures', (t) => {
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('limiter_key').notNullable();
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('window_started_at', { useTz: true }).notNullable();
    t.primary(['org_id', 'limiter_key']);
  });

  // Email invitations (R-INV-1…6). The pending member is created with the invitation and counts
  // toward the membership limit; only a SHA-256 of the link's token is kept, and resending
  // replaces it, so the old link stops working. A directory user gets at most one open
  // invitation per source identity (the partial unique index), whatever the sync does twice.
  await knex.schema.createTable('invitations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.uuid('member_id').nullable().references('members.id').onDelete('SET NULL');
    t.text('email').notNullable();
    t.uuid('role_id').notNullable().references('roles.id');
    t.text('mode').notNullable();
    t.boolean('must_use_invited_email').notNullable().defaultTo(false);
    t.text('language').notNullable().defaultTo('en');
    t.text('message').nullable();
    t.binary('token_hash').nullable().unique();
    t.text('status').notNullable();
    t.text('invited_by').notNullable();
    t.text('source').nullable();
    t.text('external_id').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('accepted_at', { useTz: true }).nullable();
    t.timestamp('deleted_at', { useTz: true }).nullable();
  });
  await knex.raw(`alter table invitations
    add constraint invitations_mode_check check (mode in ('any-account', 'organization-logins', 'add-and-notify', 'existing-account')),
    add constraint invitations_status_check check (status in ('pending', 'accepted', 'deleted', 'added')),
    add constraint invitations_language_check check (language in ('en', 'fr', 'de')),
    add constraint invitations_message_check check (message is null or length(message) <= 2000)`);
  await knex.raw(
    'create index invitations_org_created_idx on invitations (org_id, created_at desc, id)',
  );
  await knex.raw('create index invitations_member_idx on invitations (member_id)');
  await knex.raw(`create unique index invitations_source_pending_key on invitations (org_id, source, external_id)
    where status = 'pending' and source is not null`);

  // Mail to send, written in the same transaction as what it announces; the delivery worker
  // sends it with retries and clears the body once sent (it carries the invitation link).
  await knex.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.uuid('invitation_id').nullable().references('invitations.id').onDelete('SET NULL');
    t.text('recipient').notNullable();
    t.text('template').notNullable();
    t.text('language').notNullable();
    t.jsonb('data').nullable();
    t.text('status').notNullable().defaultTo('queued');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true }).nullable();
  });
  await knex.raw(
    `alter table mail_outbox add constraint mail_outbox_status_check check (status in ('queued', 'sent', 'failed'))`,
  );
  await knex.raw(
    `create index mail_outbox_due_idx on mail_outbox (next_attempt_at, id) where status = 'queued'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'mail_outbox',
    'invitations',
    'code_redeem_failures',
    'scope_administrators',
    'invitation_codes',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
