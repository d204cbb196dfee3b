import { z } from 'zod';
import { enterprisePolicy, mappingSchema, sourceNameSchema } from '../../src/plugin-api.ts';

// The `sources:` entry of a `type: saml` source, strict: a misspelt key is an error that names it.

export const samlSourceSchema = z
  .object({
    name: sourceNameSchema,
    type: z.literal('saml'),
    ...enterprisePolicy,
    /** The identity provider's metadata: fetched from a URL or read from a file. */
    idpMetadata: z.union(
      [z.object({ url: z.url() }).strict(), z.object({ file: z.string().min(1) }).strict()],
      { error: 'must be { url: URL } or { file: PATH }' },
    ),
    /** Minutes after which the IdP's metadata is read again (also when a signature fails to verify). */
    metadataRefreshMinutes: z.number().int().min(1).max(10_080).default(1440),
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

export type SamlSourceConfig = z.infer<typeof samlSourceSchema>;
