import { z } from 'zod';
import { sourceNameSchema } from '../../src/plugin-api.ts';

// The `sources:` entry of a `type: builtin` source, strict: a misspelt key is an error that names it.

export const builtinSourceSchema = z
  .object({
    name: sourceNameSchema,
    type: z.literal('builtin'),
    /** "Allow users to create built-in accounts" is off by default. */
    allowSelfRegistration: z.boolean().default(false),
  })
  .strict();

export type BuiltinSourceConfig = z.infer<typeof builtinSourceSchema>;
