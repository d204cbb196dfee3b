import test from 'ava';
import { DEFAULT_ROLES, DEFAULT_USER_TYPES } from '../../src/catalog/default-catalog.ts';
import {
  type CatalogRole,
  type CatalogUserType,
  findRole,
  findUserType,
  roleGrantIssues,
} from '../../src/catalog/compatibility.ts';

const roles: CatalogRole[] = DEFAULT_ROLES.map((r, i) => ({
  id: `r${i}`,
  name: r.name,
  aliases: r.aliases,
  privileges: r.privileges,
  parameterName: null,
  exclusiveSet: null,
}));
const types: CatalogUserType[] = DEFAULT_USER_TYPES.map((u, i) => ({ id: `t${i}`, ...u }));
const role = (name: string) => findRole(roles, name)!;
const type = (name: string) => findUserType(types, name)!;

test('roles are found case-insensitively and by the French labels of the administrators’ guides', (t) => {
  t.is(role('PUBLISHER').name, 'Publisher');
  t.is(role('utilisation').name, 'User');
  t.is(role('Mise à jour').name, 'Data Editor');
  t.is(findRole(roles, 'superhero'), undefined);
});

test('user types are found by name or by their CreateUsers file id', (t) => {
  t.is(type('creatorUT').name, 'Creator');
  t.is(type('GISProfessionalAdvUT').name, 'Professional Plus');
  t.is(type('mobile worker').name, 'Mobile Worker');
});

test('a Viewer user type takes only the Viewer role; the error lists the compatible roles', (t) => {
  const issues = roleGrantIssues(
    [{ role: role('Publisher'), parameter: null, field: 'role' }],
    type('Viewer'),
    roles,
  );
  t.is(issues.length, 1);
  t.is(issues[0]!.field, 'role');
  t.regex(issues[0]!.message, /not compatible with user type Viewer; compatible roles: Viewer$/);
  t.deepEqual(
    roleGrantIssues(
      [{ role: role('Viewer'), parameter: null, field: 'role' }],
      type('Viewer'),
      roles,
    ),
    [],
  );
  t.deepEqual(
    roleGrantIssues(
      [{ role: role('Administrator'), parameter: null, field: 'role' }],
      type('Creator'),
      roles,
    ),
    [],
  );
});

test('a role that needs a parameter is refused without it', (t) => {
  const hoster: CatalogRole = {
    id: 'h',
    name: 'hoster',
    aliases: [],
    privileges: ['view'],
    parameterName: 'Vertex ID',
    exclusiveSet: null,
  };
  t.regex(
    roleGrantIssues([{ role: hoster, parameter: null, field: 'role' }], type('Creator'), [
      hoster,
    ])[0]?.message ?? '',
    /needs a Vertex ID/,
  );
  t.deepEqual(
    roleGrantIssues([{ role: hoster, parameter: 'v-42', field: 'role' }], type('Creator'), [
      hoster,
    ]),
    [],
  );
});

test('mutually exclusive roles cannot be held together', (t) => {
  const a: CatalogRole = {
    id: 'a',
    name: 'Auditor',
    aliases: [],
    privileges: ['view'],
    parameterName: null,
    exclusiveSet: 'separation',
  };
  const b: CatalogRole = {
    id: 'b',
    name: 'Approver',
    aliases: [],
    privileges: ['view'],
    parameterName: null,
    exclusiveSet: 'separation',
  };
  const issues = roleGrantIssues(
    [
      { role: a, parameter: null, field: 'role' },
      { role: b, parameter: null, field: 'additionalRoles.0' },
    ],
    type('Creator'),
    [a, b],
  );
  t.regex(issues.map((i) => i.message).join(), /Auditor and Approver are mutually exclusive/);
});
