import { z } from 'zod';
import {
  enterprisePolicy,
  mappingSchema,
  secretRefSchema,
  sourceNameSchema,
} from '../../src/plugin-api.ts';

// The `sources:` entry of a `type: oidc` source, strict: a misspelt key is an error that names it.

export const oidcSourceSchema = z
  .object({
    name: sourceNameSchema,
    type: z.literal('oidc'),
    ...enterprisePolicy,
    /** Issuer URL; its /.well-known/openid-configuration is read at first use. */
    issuer: z.url(),
    clientId: z.string().min(1),
    clientSecret: secretRefSchema.optional(),
    scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
    /** ID-token claims of member fields (`sub` is always the login). */
    claims: mappingSchema.default({
      email: 'email',
      firstName: 'given_name',
      lastName: 'family_name',
      displayName: 'name',
    }),
    /** Use the email claim only when `email_verified` is true (for linking, invitations, new members). */
    requireVerifiedEmail: z.boolean().default(true),
  })
  .strict();

export type OidcSourceConfig = z.infer<typeof oidcSourceSchema>;
