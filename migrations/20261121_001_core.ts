import type { Knex } from 'knex';

// The core schema: organizations and everything that belongs to exactly one of them.
// Invariants live here, not only in code: unique lower(username) per organization,
// foreign keys, and checks on the values the domain rules also enforce.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pg_trgm');

  await knex.schema.createTable('organizations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('slug').notNullable();
    t.integer('membership_limit').nullable();
    t.boolean('allow_admin_invitations').notNullable().defaultTo(false);
    t.integer('invitation_expiry_days').notNullable().defaultTo(14);
    t.jsonb('new_member_defaults').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index organizations_slug_key on organizations (lower(slug))');
  await knex.raw(`alter table organizations
    add constraint organizations_name_check check (length(btrim(name)) between 1 and 200),
    add constraint organizations_slug_check check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    add constraint organizations_limit_check check (membership_limit is null or membership_limit > 0),
    add constraint organizations_expiry_check check (invitation_expiry_days between 1 and 365)`);

  await knex.schema.createTable('user_types', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('file_id').notNullable();
    t.specificType('aliases', 'text[]').notNullable().defaultTo('{}');
    t.specificType('privileges', 'text[]').notNullable();
    t.boolean('builtin').notNullable().defaultTo(false);
  });
  await knex.raw('create unique index user_types_name_key on user_types (org_id, lower(name))');
  await knex.raw(
    'create unique index user_types_file_id_key on user_types (org_id, lower(file_id))',
  );

  await knex.schema.createTable('roles', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.specificType('aliases', 'text[]').notNullable().defaultTo('{}');
    t.specificType('privileges', 'text[]').notNullable();
    t.text('parameter_name').nullable();
    t.text('exclusive_set').nullable();
    t.boolean('builtin').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index roles_name_key on roles (org_id, lower(name))');
  await knex.raw(
    `alter table roles add constraint roles_name_check check (length(btrim(name)) between 1 and 100)`,
  );

  await knex.schema.createTable('members', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('username').notNullable();
    t.text('email').notNullable();
    t.text('first_name').notNullable().defaultTo('');
    t.text('last_name').notNullable().defaultTo('');
    t.text('display_name').notNullable().defaultTo('');
    t.text('description').notNullable().defaultTo('');
    t.uuid('user_type_id').notNullable().references('user_types.id');
    t.uuid('role_id').notNullable().references('roles.id');
    t.text('role_parameter').nullable();
    t.text('status').notNullable().defaultTo('active');
    t.text('source').notNullable().defaultTo('builtin');
    t.specificType('licenses', 'text[]').notNullable().defaultTo('{}');
    t.specificType('categories', 'text[]').notNullable().defaultTo('{}');
    t.decimal('credits', 14, 2).nullable();
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.text('password_hash').nullable();
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.boolean('username_locked').notNullable().defaultTo(false);
    t.timestamp('last_sign_in_at', { useTz: true }).nullable();
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table members
    add constraint members_username_check check (username ~ '^[A-Za-z0-9._@-]{1,128}$'),
    add constraint members_email_check check (length(email) between 3 and 254 and position('''' in email) = 0 and email like '%_@_%'),
    add constraint members_description_check check (length(description) <= 250),
    add constraint members_status_check check (status in ('pending', 'active', 'disabled')),
    add constraint members_categories_check check (coalesce(array_length(categories, 1), 0) <= 20),
    add constraint members_credits_check check (credits is null or credits >= 0)`);
  await knex.raw('create unique index members_username_key on members (org_id, lower(username))');
  await knex.raw('create index members_org_status_idx on members (org_id, status)');
  await knex.raw('create index members_org_email_idx on members (org_id, lower(email))');
  await knex.raw('create index members_org_created_idx on members (org_id, created_at, id)');
  await knex.raw(
    'create index members_org_last_name_idx on members (org_id, lower(last_name), id)',
  );
  await knex.raw(`create index members_search_idx on members using gin (
    (lower(username || ' ' || email || ' ' || first_name || ' ' || last_name || ' ' || display_name)) gin_trgm_ops)`);

  await knex.schema.createTable('member_roles', (t) => {
    t.uuid('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.uuid('role_id').notNullable().references('roles.id');
    t.text('parameter').nullable();
    t.primary(['member_id', 'role_id']);
  });

  await knex.schema.createTable('groups', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('source').notNullable().defaultTo('builtin');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index groups_name_key on groups (org_id, lower(name))');
  await knex.raw(
    `alter table groups add constraint groups_name_check check (length(btrim(name)) between 1 and 256)`,
  );

  await knex.schema.createTable('memberships', (t) => {
    t.uuid('group_id').notNullable().references('groups.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['group_id', 'member_id']);
  });
  await knex.raw('create index memberships_member_idx on memberships (member_id)');

  await knex.schema.createTable('identity_links', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.text('source').notNullable();
    t.text('external_id').notNullable();
    t.text('login').nullable();
    t.text('content_hash').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['org_id', 'source', 'external_id']);
    t.unique(['member_id', 'source']);
  });
  await knex.raw(
    'create index identity_links_source_idx on identity_links (org_id, source, member_id)',
  );

  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('title').notNullable();
    t.text('role').notNullable();
    t.binary('secret_hash').notNullable();
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true }).nullable();
  });
  await knex.raw(`alter table api_keys
    add constraint api_keys_role_check check (role in ('editor', 'viewer')),
    add constraint api_keys_title_check check (length(btrim(title)) between 1 and 200),
    add constraint api_keys_expiry_check check (expires_at > created_at)`);
  await knex.raw('create index api_keys_org_idx on api_keys (org_id, created_at)');

  // A minimal stand-in for the things members and keys own (data sources, projects…), so that
  // deleting an owner with transfer or with deletion of what it owns is real, not a promise.
  await knex.schema.createTable('resources', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('name').notNullable();
    t.uuid('owner_member_id').nullable().references('members.id');
    t.uuid('owner_key_id').nullable().references('api_keys.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table resources add constraint resources_owner_check
    check ((owner_member_id is null) <> (owner_key_id is null))`);
  await knex.raw('create index resources_owner_member_idx on resources (owner_member_id)');
  await knex.raw('create index resources_owner_key_idx on resources (owner_key_id)');

  await knex.schema.createTable('resource_access', (t) => {
    t.uuid('resource_id').notNullable().references('resources.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.text('permission').notNullable();
    t.primary(['resource_id', 'member_id']);
  });
  await knex.raw('create index resource_access_member_idx on resource_access (member_id)');

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('org_id').nullable().references('organizations.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor_type').notNullable();
    t.text('actor_id').nullable();
    t.text('actor_label').notNullable();
    t.text('action').notNullable();
    t.text('target_type').notNullable();
    t.text('target_id').nullable();
    t.jsonb('before').nullable();
    t.jsonb('after').nullable();
  });
  await knex.raw('create index audit_log_org_idx on audit_log (org_id, id desc)');
  await knex.raw('create index audit_log_target_idx on audit_log (org_id, target_id, id desc)');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_log',
    'resource_access',
    'resources',
    'api_keys',
    'identity_links',
    'memberships',
    'groups',
    'member_roles',
    'members',
    'roles',
    'user_types',
    'organizations',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
