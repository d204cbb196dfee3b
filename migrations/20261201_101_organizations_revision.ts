import type { Knex } from 'knex';

// An organization's revision is a new random value whenever its row, one of its roles or one of
// its user types changes. A daemon may then keep what it read of them and write with it only while
// the revision is the one it read (see src/orgs/known-organizations.ts). Triggers set it, so that
// no writer can forget to: another daemon, the CLI, a restore or the previous release. A random
// value rather than a counter: a restored or recreated organization never repeats a revision that
// meant other contents.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'alter table organizations add column revision uuid not null default gen_random_uuid()',
  );
  await knex.raw(`create function organizations_new_revision() returns trigger language plpgsql as $$
    begin
      new.revision := gen_random_uuid();
      return new;
    end $$`);
  // A change that sets the revision itself (the catalog's trigger below) keeps the one it set.
  await knex.raw(`create trigger organizations_revision before update on organizations
    for each row when (new.revision = old.revision) execute function organizations_new_revision()`);
  // A restore fills the catalog after the organizations, whose revisions it restores as they were.
  await knex.raw(`create function organizations_catalog_changed() returns trigger language plpgsql as $$
    begin
      if current_setting('provisiond.restoring', true) = 'on' then
        return null;
      end if;
      update organizations set revision = gen_random_uuid()
        where id = case when tg_op = 'DELETE' then old.org_id else new.org_id end;
      if tg_op = 'UPDATE' and new.org_id <> old.org_id then
        update organizations set revision = gen_random_uuid() where id = old.org_id;
      end if;
      return null;
    end $$`);
  for (const table of ['roles', 'user_types'])
    await knex.raw(`create trigger ${table}_organization_revision after insert or update or delete on ${table}
      for each row execute function organizations_catalog_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['roles', 'user_types'])
    await knex.raw(`drop trigger ${table}_organization_revision on ${table}`);
  await knex.raw('drop function organizations_catalog_changed()');
  await knex.raw('drop trigger organizations_revision on organizations');
  await knex.raw('drop function organizations_new_revision()');
  await knex.raw('alter table organizations drop column revision');
}
