import { type Client, InvalidCredentialsError } from 'ldapts';
import type {
  AuthenticationResult,
  DirectoryEntry,
  GroupLookup,
  IdentitySource,
  IdentitySourcePlugin,
  SourceContext,
  SourceRead,
  UserLookup,
} from '../../src/plugin-api.ts';
import type { LdapSourceConfig } from './config.ts';
import { findGroup, findUser } from './directory-lookup.ts';
import { openBound, openConnection, pagedSearch } from './connection.ts';
import { externalIdOf } from './entry-mapping.ts';
import { type FlavorSettings, adDomain, flavorSettings } from './flavors.ts';
import { and, anyOf, contains, equals } from './filters.ts';
import { readDirectory } from './directory-read.ts';

// LDAP and Active Directory in one plugin: flavors openldap, ad and generic (plugins/ldap/flavors.ts).

class LdapSource implements IdentitySource {
  readonly type = 'ldap';
  readonly name: string;
  private readonly flavor: FlavorSettings;

  constructor(
    private readonly config: LdapSourceConfig,
    private readonly context: SourceContext,
  ) {
    this.name = config.name;
    this.flavor = flavorSettings(config);
  }

  async test() {
    try {
      const client = await openBound(this.config, this.context);
      try {
        const users = pagedSearch(client, this.config, {
          baseDN: this.config.users.baseDN,
          filter: this.flavor.userFilter,
          attributes: ['1.1'],
          sizeLimit: 1,
        });
        for await (const entry of users) void entry;
      } finally {
        await client.unbind().catch(() => undefined);
      }
      return {
        ok: true,
        message: `bound to ${this.config.url} as ${this.config.bindDN} and read ${this.config.users.baseDN}`,
      };
    } catch (error) {
      return { ok: false, message: `${this.config.url}: ${(error as Error).message}` };
    }
  }

  readAll(): SourceRead {
    return readDirectory({
      config: this.config,
      flavor: this.flavor,
      context: this.context,
      since: null,
    });
  }

  readChanges(token: string): SourceRead {
    return readDirectory({
      config: this.config,
      flavor: this.flavor,
      context: this.context,
      since: token,
    });
  }

  findUser(login: string): Promise<UserLookup | null> {
    return findUser({ config: this.config, flavor: this.flavor, context: this.context }, login);
  }

  findGroup(nameOrDN: string): Promise<GroupLookup | null> {
    return findGroup({ config: this.config, flavor: this.flavor, context: this.context }, nameOrDN);
  }

  async search(text: string, limit: number): Promise<DirectoryEntry[]> {
    const client = await openBound(this.config, this.context);
    const found: DirectoryEntry[] = [];
    const binary = this.flavor.binaryId ? [this.flavor.idAttribute] : [];
    try {
      const mail = this.config.users.attributes.email;
      const userFilter = and(
        this.flavor.userFilter,
        anyOf(
          [this.flavor.loginAttribute, mail, 'cn', 'displayName'].map((a) => contains(a, text)),
        ),
      );
      for await (const e of pagedSearch(client, this.config, {
        baseDN: this.config.users.baseDN,
        filter: userFilter,
        attributes: [this.flavor.idAttribute, this.flavor.loginAttribute, mail],
        binary,
        sizeLimit: limit,
      })) {
        found.push({
          kind: 'user',
          dn: e.dn,
          externalId: externalIdOf(e, this.flavor),
          name: String(e[this.flavor.loginAttribute] ?? ''),
          email: e[mail] ? String(e[mail]) : null,
        });
      }
      const groups = this.config.groups;
      if (groups) {
        const name = groups.nameAttribute;
        const groupFilter = and(this.flavor.groupFilter, contains(name, text));
        for await (const e of pagedSearch(client, this.config, {
          baseDN: groups.baseDN,
          filter: groupFilter,
          attributes: [this.flavor.idAttribute, name],
          binary,
          sizeLimit: limit,
        })) {
          found.push({
            kind: 'group',
            dn: e.dn,
            externalId: externalIdOf(e, this.flavor),
            name: String(e[name] ?? ''),
            email: null,
          });
        }
      }
    } finally {
      await client.unbind().catch(() => undefined);
    }
    return found.slice(0, limit);
  }

  /**
   * Sign-in by bind: find the user's DN with the service account (the login escaped in the filter),
   * then bind as that DN with the password on a separate connection. An empty password is refused
   * before any bind: LDAP treats it as an anonymous bind, which "succeeds".
   */
  async authenticate(login: string, password: string): Promise<AuthenticationResult> {
    const suffix = `@${adDomain(this.config)}`.toLowerCase();
    const name =
      this.config.flavor === 'ad' && login.toLowerCase().endsWith(suffix)
        ? login.slice(0, -suffix.length)
        : login;
    if (password === '' || name === '') return { ok: false, reason: 'wrong-password' };
    const client = await openBound(this.config, this.context);
    let dn: string;
    let externalId: string;
    try {
      const matches = [];
      const filter = and(this.flavor.userFilter, equals(this.flavor.loginAttribute, name));
      const binary = this.flavor.binaryId ? [this.flavor.idAttribute] : [];
      for await (const e of pagedSearch(client, this.config, {
        baseDN: this.config.users.baseDN,
        filter,
        attributes: [this.flavor.idAttribute],
        binary,
        sizeLimit: 2,
      }))
        matches.push(e);
      if (matches.length !== 1) return { ok: false, reason: 'unknown-login' };
      dn = matches[0]!.dn;
      externalId = externalIdOf(matches[0]!, this.flavor);
    } finally {
      await client.unbind().catch(() => undefined);
    }
    const user: Client = await openConnection(this.config);
    try {
      await user.bind(dn, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return { ok: false, reason: 'wrong-password' };
      throw error;
    } finally {
      await user.unbind().catch(() => undefined);
    }
    const member = await this.context.findLinkedMember(externalId);
    if (!member) return { ok: false, reason: 'unknown-login' };
    if (member.status === 'disabled') return { ok: false, reason: 'disabled' };
    return { ok: true, memberId: member.memberId, mustChangePassword: false };
  }
}

export const ldapPlugin: IdentitySourcePlugin<LdapSourceConfig> = {
  type: 'ldap',
  create: (config, context) => new LdapSource(config, context),
};
