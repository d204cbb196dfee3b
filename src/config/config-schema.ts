import { z } from 'zod';
import { type LdapSourceConfig, ldapSourceSchema } from './ldap-source-schema.ts';

// The configuration file's shape. Every key is checked at start; an unknown key is an error,
// since a misspelt key silently ignored is a setting the administrator believes is in force.

const baseSourceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, - or _'),
    type: z.string().min(1),
  })
  .loose();

export type SourceEntry = LdapSourceConfig | z.infer<typeof baseSourceSchema>;

export function isLdapSource(entry: SourceEntry): entry is LdapSourceConfig {
  return entry.type === 'ldap';
}

// Built-in types get their strict schema; other types (npm packages) are checked by their plugin.
const sourceSchema = z.unknown().transform((value, ctx): SourceEntry => {
  const base = baseSourceSchema.safeParse(value);
  const result = base.success && base.data.type === 'ldap' ? ldapSourceSchema.safeParse(value) : base;
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const message = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    ctx.addIssue({ code: 'custom', path: issue.path, message });
  }
  return z.NEVER;
});

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Seconds to let requests in flight finish on SIGTERM. */
        shutdownGraceSeconds: z.number().min(0).max(300).default(10),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
        dataDir: z.string().min(1).default('./data'),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
    organization: z
      .object({ name: z.string().min(1).max(200).default('Default organization') })
      .strict()
      .prefault({}),
    api: z
      .object({ maxPageSize: z.number().int().min(1).max(10_000).default(500) })
      .strict()
      .prefault({}),
    sources: z.array(sourceSchema).default([{ name: 'builtin', type: 'builtin' }]).superRefine((sources, ctx) => {
      const seen = new Set<string>();
      sources.forEach((s, i) => {
        if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `the source name "${s.name}" is used twice` });
        seen.add(s.name);
      });
    }),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
