import { z } from 'zod';
import { ldapSourceSchema } from './ldap-source-schema.ts';

// The `sources:` entries, one strict schema per type: a misspelt key under a source is an error
// that names it (sources.1.clientSecret…), never a setting silently ignored.

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, - or _');

/** A secret is never written in the file itself: it is read from an environment variable or a file. */
export const secretRefSchema = z.union(
  [
    z
      .object({
        env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
      })
      .strict(),
    z.object({ file: z.string().min(1) }).strict(),
  ],
  { error: 'must be { env: NAME } or { file: PATH }' },
);

export type SecretRef = z.infer<typeof secretRefSchema>;

/** What happens when an enterprise login signs in and no member is linked to it yet. */
const enterprisePolicy = {
  /** Text of the sign-in button. */
  label: z.string().min(1).max(100).optional(),
  /** Create the member at first sign-in, with the organization's defaults (R-SRC-3: off by default). */
  autoRegister: z.boolean().default(false),
  /** Link to an existing, not yet linked member whose email or username equals the login's. */
  linkBy: z.enum(['none', 'email', 'username']).default('none'),
};

const mappingSchema = z
  .object({
    email: z.string().min(1).optional(),
    firstName: z.string().min(1).optional(),
    lastName: z.string().min(1).optional(),
    displayName: z.string().min(1).optional(),
  })
  .strict();

const builtinSourceSchema = z
  .object({
    name,
    type: z.literal('builtin'),
    /** Seed 003: "allow users to create built-in accounts" is off by default. */
    allowSelfRegistration: z.boolean().default(false),
  })
  .strict();

const samlSourceSchema = z
  .object({
    name,
    type: z.literal('saml'),
    ...enterprisePolicy,
    /** The identity provider's metadata: fetched from a URL or read from a file. */
    idpMetadata: z.union(
      [z.object({ url: z.url() }).strict(), z.object({ file: z.string().min(1) }).strict()],
      { error: 'must be { url: URL } or { file: PATH }' },
    ),
    /** The SP entity id; by default the SP metadata URL. */
    entityId: z.string().min(1).optional(),
    /** SAML attribute names of member fields (NameID is always the login). */
    attributes: mappingSchema.default({
      email: 'email',
      firstName: 'firstName',
      lastName: 'lastName',
      displayName: 'displayName',
    }),
    clockSkewSeconds: z.number().int().min(0).max(600).default(60),
  })
  .strict();

const oidcSourceSchema = z
  .object({
    name,
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

export const sourceSchema = z.discriminatedUnion(
  'type',
  [builtinSourceSchema, samlSourceSchema, oidcSourceSchema, ldapSourceSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'type must be one of builtin, ldap, saml, oidc' : undefined,
  },
);

export type SamlSourceConfig = z.infer<typeof samlSourceSchema>;
export type OidcSourceConfig = z.infer<typeof oidcSourceSchema>;
export type AnySourceConfig = z.infer<typeof sourceSchema>;
