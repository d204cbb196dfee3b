import type { Role } from '../../api/admin-types.ts';

// A role as its form holds it, and the request it becomes. A built-in role keeps its name and
// privileges (the API refuses to change them), so its edits leave them out.

// The one list, the server's: a privilege added there is offered here without a second edit.
export { PRIVILEGES } from '../../../../src/access/privileges.ts';

export interface RoleForm {
  name: string;
  aliases: string;
  privileges: string[];
  parameterName: string;
  parameterRequired: boolean;
  exclusiveSet: string;
}

export const EMPTY_ROLE: RoleForm = {
  name: '',
  aliases: '',
  privileges: ['view'],
  parameterName: '',
  parameterRequired: true,
  exclusiveSet: '',
};

export function roleFormOf(role: Role): RoleForm {
  return {
    name: role.name,
    aliases: role.aliases.join(', '),
    privileges: role.privileges,
    parameterName: role.parameterName ?? '',
    parameterRequired: role.parameterRequired ?? true,
    exclusiveSet: role.exclusiveSet ?? '',
  };
}

export function roleBody(form: RoleForm, editing: Role | null): Record<string, unknown> {
  const parameterName = form.parameterName.trim();
  const body: Record<string, unknown> = {
    aliases: form.aliases
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    parameterName: parameterName || null,
    exclusiveSet: form.exclusiveSet.trim() || null,
    ...(parameterName && { parameterRequired: form.parameterRequired }),
  };
  if (!editing?.builtin) {
    body.name = form.name;
    body.privileges = form.privileges;
  }
  if (!editing && !parameterName) delete body.parameterName;
  if (!editing && !body.exclusiveSet) delete body.exclusiveSet;
  return body;
}
