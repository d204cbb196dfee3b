import type { Knex } from 'knex';

// An organization's revision is a new random value whenever its row, one of its roles or one of
// its user types changes. A daemon may then keep what it read of them and write with it only while
// the revision is the one it read (see src/orgs/known-organizations.ts). Triggers set it, so that
// no writer can forget to: another daemon, the CLI or the previous release. A random value rather
// than a counter: a restored or recreated organization never repeats a revision that meant other
// contents.
//
// It has a table of its own rather than a column of organizations: the previous release reads
// organizations with `select o.*` as a prepared statement, and PostgreSQL refuses to run such a
// statement once the table has another column ("cached plan must not change result type").
//
// A restore fills every table as the backup has it, revisions included: the triggers stand aside
// while it sets provisiond.restoring.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table organization_revisions (
    org_id uuid primary key references organizations (id) on delete cascade,
    revision uuid not null default gen_random_uuid())`);
  await knex.raw('insert into organization_revisions (org_id) select id from organizations');
  await knex.raw(`create function organizations_new_revision() returns trigger language plpgsql as $$
    begin
      if current_setting('provisiond.restoring', true) = 'on' then
        return null;
      end if;
      if tg_table_name = 'organizations' and tg_op = 'INSERT' then
        insert into organization_revisions (org_id) values (new.id);
      elsif tg_table_name = 'organizations' then
        update organization_revisions set revision = gen_random_uuid() where org_id = new.id;
      else
        update organization_revisions set revision = gen_random_uuid()
          where org_id = case when tg_op = 'DELETE' then old.org_id else new.org_id end;
        if tg_op = 'UPDATE' and new.org_id <> old.org_id then
          update organization_revisions set revision = gen_random_uuid() where org_id = old.org_id;
        end if;
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger organizations_revision after insert or update on organizations
    for each row execute function organizations_new_revision()`);
  for (const table of ['roles', 'user_types'])
    await knex.raw(`create trigger ${table}_organization_revision after insert or update or delete on ${table}
      for each row execute function organizations_new_revision()`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['roles', 'user_types'])
    await knex.raw(`drop trigger ${table}_organization_revision on ${table}`);
  await knex.raw('drop trigger organizations_revision on organizations');
  await knex.raw('drop function organizations_new_revision()');
  await knex.raw('drop table organization_revisions');
}
