import type { Knex } from 'knex';
import { NotFoundError } from '../errors.ts';
import { selectSql } from '../store/prepared-select.ts';
import { isUuid } from '../store/uuid.ts';
import { GROUP_SCHEMA } from './scim-schemas.ts';
import { invalidValue } from './scim-error.ts';
import { etagOf } from './user-document.ts';

// A group as a SCIM Group: its row, how it is read, and member references as a client sends them.

type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface GroupRow {
  id: string;
  name: string;
  external_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  members?: Array<{ value: string; display: string }> | null;
}

const MEMBERS_SELECT = `(select coalesce(json_agg(json_build_object('value', m.id, 'display', m.display_name)), '[]'::json)
  from memberships ms join members m on m.id = ms.member_id where ms.group_id = g.id) as members`;

export function toScimGroup(row: GroupRow, base: string): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    ...(row.external_id !== null && { externalId: row.external_id }),
    displayName: row.name,
    ...(row.members && {
      members: row.members.map((m) => ({
        value: m.value,
        display: m.display,
        type: 'User',
        $ref: `${base}/Users/${m.value}`,
      })),
    }),
    meta: {
      resourceType: 'Group',
      created: new Date(row.created_at).toISOString(),
      lastModified: new Date(row.updated_at).toISOString(),
      location: `${base}/Groups/${row.id}`,
      version: etagOf(row.version),
    },
  };
}

/** The select list of a group's read: with its members when the projection returns them. */
export function groupSelectList(withMembers: boolean): string {
  const columns = 'g.id, g.name, g.external_id, g.version, g.created_at, g.updated_at';
  return withMembers ? `${columns}, ${MEMBERS_SELECT}` : columns;
}

/** The organization's groups, `$1` its id. */
export const GROUPS_FROM = 'groups g where g.org_id = $1';

export async function loadGroup(
  db: Knex | Knex.Transaction,
  orgId: string,
  id: string,
  withMembers: boolean,
  lock = false,
): Promise<GroupRow> {
  if (!isUuid(id)) throw new NotFoundError('Group', id);
  const [row] = await selectSql<GroupRow>(
    db,
    `select ${groupSelectList(withMembers)} from ${GROUPS_FROM} and g.id = $2 limit 1${lock ? ' for update' : ''}`,
    [orgId, id],
  );
  if (!row) throw new NotFoundError('Group', id);
  return row;
}

/** The distinct ids of `[{ value }]` (or bare ids), each checked to be a user id. */
export function idsOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const ids = items.map((item) => (isObject(item) ? item.value : item));
  const bad = ids.filter((id) => typeof id !== 'string' || !isUuid(id));
  if (bad.length > 0)
    throw invalidValue(
      `members: ${bad
        .slice(0, 5)
        .map((b) => JSON.stringify(b))
        .join(', ')} ${bad.length === 1 ? 'is not a user id' : 'are not user ids'}`,
    );
  return [...new Set(ids as string[])];
}
