import { z } from 'zod';

// The parts of a `sources:` entry that several plugins share. Plugins reach them through
// src/plugin-api.ts; each plugin's own schema lives beside it (plugins/<type>/config.ts).

/** A source's name: links, tokens and run records are kept under it. */
export const sourceNameSchema = z
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
export const enterprisePolicy = {
  /** Text of the sign-in button. */
  label: z.string().min(1).max(100).optional(),
  /** Create the member at first sign-in, with the organization's defaults (off by default). */
  autoRegister: z.boolean().default(false),
  /** Link to an existing, not yet linked member whose email or username equals the login's. */
  linkBy: z.enum(['none', 'email', 'username']).default('none'),
};

export const mappingSchema = z
  .object({
    email: z.string().min(1).optional(),
    firstName: z.string().min(1).optional(),
    lastName: z.string().min(1).optional(),
    displayName: z.string().min(1).optional(),
  })
  .strict();
