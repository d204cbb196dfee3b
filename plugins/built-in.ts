import { builtinSourceSchema } from './builtin/config.ts';
import { ldapSourceSchema } from './ldap/config.ts';
import { oidcSourceSchema } from './oidc/config.ts';
import { samlSourceSchema } from './saml/config.ts';
import type { PluginRegistration } from '../src/plugin-api.ts';

// The plugins the daemon ships: the one list a plugin in the tree is added to. The `sources:`
// configuration is checked against the schemas listed here (src/config/source-schemas.ts), and
// the registry (src/sources/source-registry.ts) loads a plugin's code only when a source of its
// type is configured: a daemon without SAML never loads samlify, and the CLI checks a
// configuration without loading any plugin.

export const BUILT_IN_PLUGINS = [
  {
    type: 'builtin',
    configSchema: builtinSourceSchema,
    load: async () => (await import('./builtin/index.ts')).builtinPlugin,
  },
  {
    type: 'ldap',
    configSchema: ldapSourceSchema,
    load: async () => (await import('./ldap/index.ts')).ldapPlugin,
  },
  {
    type: 'saml',
    configSchema: samlSourceSchema,
    load: async () => (await import('./saml/index.ts')).samlPlugin,
  },
  {
    type: 'oidc',
    configSchema: oidcSourceSchema,
    load: async () => (await import('./oidc/index.ts')).oidcPlugin,
  },
] as const satisfies readonly PluginRegistration[];
