import { z } from 'zod';
import { builtinSourceSchema } from '../../plugins/builtin/config.ts';
import { ldapSourceSchema } from '../../plugins/ldap/config.ts';
import { oidcSourceSchema } from '../../plugins/oidc/config.ts';
import { samlSourceSchema } from '../../plugins/saml/config.ts';

// The `sources:` entries: one strict schema per plugin, each beside its plugin, told apart by
// `type`. A misspelt key under a source is an error that names it (sources.1.clientSecret…).

export const sourceSchema = z.discriminatedUnion(
  'type',
  [builtinSourceSchema, samlSourceSchema, oidcSourceSchema, ldapSourceSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'type must be one of builtin, ldap, saml, oidc' : undefined,
  },
);

export type AnySourceConfig = z.infer<typeof sourceSchema>;
