import type { z } from 'zod';
import { builtinSourceSchema } from '../../plugins/builtin/config.ts';
import { ldapSourceSchema } from '../../plugins/ldap/config.ts';
import { oidcSourceSchema } from '../../plugins/oidc/config.ts';
import { samlSourceSchema } from '../../plugins/saml/config.ts';
import type { IdentitySourcePlugin } from '../plugin-api.ts';

// The plugins the daemon ships: the one list a plugin in the tree is added to. The `sources:`
// configuration is checked against the schemas listed here (src/config/source-schemas.ts), and
// the registry (source-registry.ts) loads a plugin's code only when a source of its type is
// configured: a daemon without SAML never loads samlify, and the CLI checks a configuration
// without loading any plugin.

/** A plugin as the daemon knows it before its code is loaded. */
export interface PluginRegistration {
  readonly type: string;
  /** The strict schema of the plugin's `sources:` entries, light enough to load at every start. */
  readonly configSchema: z.ZodObject;
  load(): Promise<IdentitySourcePlugin<never>>;
}

export const BUILT_IN_PLUGINS = [
  {
    type: 'builtin',
    configSchema: builtinSourceSchema,
    load: async () => (await import('../../plugins/builtin/index.ts')).builtinPlugin,
  },
  {
    type: 'ldap',
    configSchema: ldapSourceSchema,
    load: async () => (await import('../../plugins/ldap/index.ts')).ldapPlugin,
  },
  {
    type: 'saml',
    configSchema: samlSourceSchema,
    load: async () => (await import('../../plugins/saml/index.ts')).samlPlugin,
  },
  {
    type: 'oidc',
    configSchema: oidcSourceSchema,
    load: async () => (await import('../../plugins/oidc/index.ts')).oidcPlugin,
  },
] as const satisfies readonly PluginRegistration[];
