import type { Knex } from 'knex';

// Add-on licences become a catalog per organization: a name, the user types that may hold the
// licence, and how many the organization has (null: no limit). Members keep the names of the
// licences they hold. The free-text names found on members and in the defaults for new members
// become catalog entries with no limit that every user type may hold, marked `migrated` and
// listed in one audit entry per organization, for an administrator to review.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('licenses', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.specificType('user_type_ids', 'uuid[]').notNullable().defaultTo('{}');
    t.integer('quantity').nullable();
    t.boolean('migrated').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index licenses_name_key on licenses (org_id, lower(name))');
  await knex.raw(`alter table licenses
    add constraint licenses_name_check check (length(btrim(name)) between 1 and 100),
    add constraint licenses_quantity_check check (quantity is null or quantity >= 0)`);
  await knex.raw('create index members_licenses_idx on members using gin (licenses)');

  const orgs = (await knex('organizations').select('id', 'new_member_defaults')) as Array<{
    id: string;
    new_member_defaults: { licenses?: unknown };
  }>;
  for (const org of orgs) {
    const held = (await knex.raw(
      'select distinct unnest(licenses) as name from members where org_id = ?',
      [org.id],
    )) as { rows: Array<{ name: string }> };
    const defaults = Array.isArray(org.new_member_defaults.licenses)
      ? (org.new_member_defaults.licenses as unknown[]).filter((n) => typeof n === 'string')
      : [];
    // One entry per name compared without case or surrounding spaces, named by its first spelling
    // in code-point order ("X2" before "x2"), so that a rerun on the same data names it the same.
    const canonical = new Map<string, string>();
    for (const raw of [...defaults, ...held.rows.map((r) => r.name)].sort()) {
      const name = raw.trim().slice(0, 100);
      if (name && !canonical.has(name.toLowerCase())) canonical.set(name.toLowerCase(), name);
    }
    if (canonical.size === 0) continue;
    const userTypes = (await knex('user_types').where('org_id', org.id).pluck('id')) as string[];
    await knex('licenses').insert(
      [...canonical.values()].map((name) => ({
        org_id: org.id,
        name,
        user_type_ids: userTypes,
        quantity: null,
        migrated: true,
      })),
    );
    const pairs = [...canonical].flat();
    const mapping = [...canonical].map(() => '(?, ?)').join(', ');
    await knex.raw(
      `update members m set licenses = coalesce((
         select array_agg(distinct c.name order by c.name)
         from unnest(m.licenses) as l(name) join (values ${mapping}) as c(folded, name)
           on c.folded = lower(btrim(l.name))
       ), '{}')
       where m.org_id = ? and cardinality(m.licenses) > 0`,
      [...pairs, org.id],
    );
    if (defaults.length > 0) {
      const renamed = [
        ...new Set(defaults.map((n) => canonical.get(n.trim().toLowerCase())).filter(Boolean)),
      ];
      await knex('organizations')
        .where('id', org.id)
        .update({
          new_member_defaults: knex.raw(
            `new_member_defaults || jsonb_build_object('licenses', ?::jsonb)`,
            [JSON.stringify(renamed)],
          ),
        });
    }
    await knex('audit_log').insert({
      org_id: org.id,
      actor_type: 'system',
      actor_id: null,
      actor_label: 'provisiond',
      action: 'license.migrate',
      target_type: 'license',
      target_id: null,
      after: JSON.stringify({
        created: [...canonical.values()],
        note: 'free-text licences became catalog entries with no limit that every user type may hold; review them with `licenses list`',
      }),
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists members_licenses_idx');
  await knex.schema.dropTableIfExists('licenses');
}
