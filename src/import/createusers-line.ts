// One line of a CreateUsers file, pipe-delimited:
//   enterprise: <login>|<email>|<name>|<role>|<user type id>|<description>|<Idp UserName>|<first name>|<last name>
//   builtin:    <account>|<password>|<email>|<name>|<role>|<user type id>|<description>|<first name>|<last name>
// As every example of the seed shows, the optional fields may be left out and the user type id
// (the one field ending in "UT") may stand at any position after the role; the fields other
// than it keep their order.

export type Idp = 'enterprise' | 'builtin';

interface CreateUsersRow {
  login: string;
  password?: string;
  email: string;
  name: string;
  role: string;
  userTypeId: string;
  description?: string;
  idpUserName?: string;
  firstName?: string;
  lastName?: string;
}

export type CreateUsersParse =
  | { ok: true; row: CreateUsersRow }
  | { ok: false; field: string; message: string };

const USER_TYPE_ID = /^[A-Za-z][A-Za-z0-9]*UT$/;

/**
 * Portal for ArcGIS's SAML example `rsmith@domain.com|…|publisher|rsmith@domain.com|GISProfessionalBasicUT`
 * gives an Idp UserName with no description before it; a login-like value (no space, with '@'
 * or '\') in the description's place is therefore read as the Idp UserName.
 */
function looksLikeLogin(value: string): boolean {
  return !/\s/.test(value) && /[@\\]/.test(value);
}

const present = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

export function parseCreateUsersLine(line: string, idp: Idp): CreateUsersParse {
  const fields = line.split('|').map((f) => f.trim());
  const fixed =
    idp === 'builtin'
      ? ['account', 'password', 'email', 'name', 'role']
      : ['login', 'email', 'name', 'role'];
  const max = fixed.length + (idp === 'builtin' ? 4 : 5);
  if (fields.length > max)
    return {
      ok: false,
      field: 'line',
      message: `has ${fields.length} fields; ${idp === 'builtin' ? 'a' : 'an'} ${idp} line has at most ${max}`,
    };
  if (fields.length < fixed.length + 1) {
    return {
      ok: false,
      field: 'line',
      message: `has ${fields.length} fields; ${idp === 'builtin' ? 'a' : 'an'} ${idp} line needs at least ${fixed.length + 1}: ${fixed.join('|')}|<user type id>`,
    };
  }
  for (let i = 0; i < fixed.length; i++) {
    if (!fields[i]) return { ok: false, field: fixed[i]!, message: 'is required' };
  }
  const rest = fields.slice(fixed.length);
  const typeAt = rest.findIndex((f) => USER_TYPE_ID.test(f));
  if (typeAt < 0)
    return {
      ok: false,
      field: 'userType',
      message: 'no user type id (a value ending in "UT", such as creatorUT) after the role',
    };
  const userTypeId = rest[typeAt]!;
  const optional = rest.filter((_, i) => i !== typeAt);
  const [login, ...head] = fields;
  const base =
    idp === 'builtin'
      ? { login: login!, password: head[0]!, email: head[1]!, name: head[2]!, role: head[3]! }
      : { login: login!, email: head[0]!, name: head[1]!, role: head[2]! };
  if (idp === 'builtin') {
    const [description, firstName, lastName] = optional;
    return {
      ok: true,
      row: {
        ...base,
        userTypeId,
        description: present(description),
        firstName: present(firstName),
        lastName: present(lastName),
      },
    };
  }
  if (optional.length > 0 && looksLikeLogin(optional[0]!) && optional.length < 4)
    optional.unshift('');
  const [description, idpUserName, firstName, lastName] = optional;
  return {
    ok: true,
    row: {
      ...base,
      userTypeId,
      description: present(description),
      idpUserName: present(idpUserName),
      firstName: present(firstName),
      lastName: present(lastName),
    },
  };
}

/** Built-in accounts are ASCII letters, digits or underscores, at most 128. */
export function createUsersAccountProblem(account: string): string | null {
  if (account.length > 128) return `must be at most 128 characters (got ${account.length})`;
  if (!/^[A-Za-z0-9_]+$/.test(account))
    return 'may contain only ASCII letters, digits and underscores (CreateUsers accounts)';
  return null;
}
