import type { Knex } from 'knex';

// Members whose identity lives at an identity provider may have no email, and their provider's
// addresses may hold an apostrophe (RFC 5321). The stricter rule for addresses administrators type
// or import is the members module's; the table keeps only the shape every address has.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table members alter column email drop not null');
  await knex.raw('alter table members drop constraint members_email_check');
  await knex.raw(`alter table members
    add constraint members_email_check check (length(email) between 3 and 254 and email like '%_@_%')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`update members set email = 'unknown@invalid' where email is null`);
  await knex.raw(
    `update members set email = replace(email, '''', '') where position('''' in email) > 0`,
  );
  await knex.raw('alter table members drop constraint members_email_check');
  await knex.raw(`alter table members
    add constraint members_email_check check (length(email) between 3 and 254 and position('''' in email) = 0 and email like '%_@_%')`);
  await knex.raw('alter table members alter column email set not null');
}
