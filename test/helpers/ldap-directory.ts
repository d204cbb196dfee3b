import { type LdapRelay, ldapRelay } from './ldap-relay.ts';
import { Attribute, Change, type Client } from 'ldapts';
import { ldapSourceSchema, type LdapSourceConfig } from '../../plugins/ldap/config.ts';
import { ADMIN_DN, ADMIN_PASSWORD, SUFFIX, type Slapd } from './slapd.ts';

// One isolated subtree of a test slapd per test (ou=NAME with people and groups), so that tests
// run concurrently against one server, plus the source configuration pointing at it.

export const PASSWORD_ENV = 'PROVISIOND_TEST_LDAP_PASSWORD';
process.env[PASSWORD_ENV] = ADMIN_PASSWORD;

export interface TestUser {
  uid: string;
  mail?: string;
  givenName?: string;
  sn?: string;
  password?: string;
}

export class Subtree {
  readonly base: string;
  readonly people: string;
  readonly groups: string;
  constructor(
    private readonly client: Client,
    readonly name: string,
  ) {
    this.base = `ou=${name},${SUFFIX}`;
    this.people = `ou=people,${this.base}`;
    this.groups = `ou=groups,${this.base}`;
  }

  static async create(slapd: Slapd, name: string): Promise<Subtree> {
    const tree = new Subtree(await slapd.admin(), name);
    await tree.client.add(tree.base, { objectClass: 'organizationalUnit', ou: name });
    await tree.client.add(tree.people, { objectClass: 'organizationalUnit', ou: 'people' });
    await tree.client.add(tree.groups, { objectClass: 'organizationalUnit', ou: 'groups' });
    return tree;
  }

  userDN(uid: string): string {
    return `uid=${uid},${this.people}`;
  }

  groupDN(cn: string): string {
    return `cn=${cn},${this.groups}`;
  }

  async addUser(u: TestUser): Promise<void> {
    await this.client.add(this.userDN(u.uid), {
      objectClass: 'inetOrgPerson',
      uid: u.uid,
      cn: `${u.givenName ?? u.uid} ${u.sn ?? 'Test'}`,
      sn: u.sn ?? 'Test',
      givenName: u.givenName ?? u.uid,
      mail: u.mail ?? `${u.uid}@example.org`,
      ...(u.password && { userPassword: u.password }),
    });
  }

  async addGroup(cn: string, memberDNs: string[]): Promise<void> {
    await this.client.add(this.groupDN(cn), {
      objectClass: 'groupOfNames',
      cn,
      member: memberDNs.length > 0 ? memberDNs : [this.base],
    });
  }

  async replace(dn: string, attribute: string, values: string[]): Promise<void> {
    await this.client.modify(
      dn,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: attribute, values }),
      }),
    );
  }

  async addValue(dn: string, attribute: string, value: string): Promise<void> {
    await this.client.modify(
      dn,
      new Change({
        operation: 'add',
        modification: new Attribute({ type: attribute, values: [value] }),
      }),
    );
  }

  async move(dn: string, newDN: string): Promise<void> {
    await this.client.modifyDN(dn, newDN);
  }

  async remove(dn: string): Promise<void> {
    await this.client.del(dn);
  }

  source(url: string, extra: Record<string, unknown> = {}): LdapSourceConfig {
    return ldapSourceSchema.parse({
      name: this.name,
      type: 'ldap',
      flavor: 'openldap',
      url,
      bindDN: ADMIN_DN,
      bindCredentials: { env: PASSWORD_ENV },
      users: { baseDN: this.people },
      groups: { baseDN: this.groups },
      ...extra,
    });
  }
}

/**
 * A TCP relay to a directory that can cut every connection after `cutAfterBytes` bytes from the
 * server: a directory that goes away in the middle of a read, at a point the test chooses.
 */
export async function cuttingRelay(
  target: { port: number },
  cutAfterBytes: number,
): Promise<LdapRelay> {
  return ldapRelay(target, (client, upstream) => {
    let relayed = 0;
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      relayed += d.length;
      if (relayed > cutAfterBytes) {
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
  });
}
