import type { Knex } from 'knex';

// The copyable link of an open invitation (R-INV-6): its token sealed under a key kept outside
// the database (src/invitations/link-sealer.ts). Cleared with the token hash once the
// invitation is accepted or deleted.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invitations', (t) => {
    t.binary('token_sealed').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invitations', (t) => {
    t.dropColumn('token_sealed');
  });
}
