import { z } from 'zod';
import type { LdapSourceConfig } from './ldap-source-schema.ts';
import { type AnySourceConfig, secretRefSchema, sourceSchema } from './source-schemas.ts';

// The configuration file's shape. Every key is checked at start; an unknown key is an error,
// since a misspelt key silently ignored is a setting the administrator believes is in force.

export type SourceEntry = AnySourceConfig;

export function isLdapSource(entry: SourceEntry): entry is LdapSourceConfig {
  return entry.type === 'ldap';
}

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Seconds to let requests in flight finish on SIGTERM. */
        shutdownGraceSeconds: z.number().min(0).max(300).default(10),
        /** The URL people and identity providers reach the daemon at (SAML ACS, OIDC redirect).
         *  Default: http://HOST:PORT as the daemon listens. https:// makes session cookies Secure. */
        publicUrl: z
          .url({ protocol: /^https?$/ })
          .transform((u) => u.replace(/\/+$/, ''))
          .optional(),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
          .optional(),
        dataDir: z.string().min(1).default('./data'),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info'),
      })
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
    scim: z
      .object({
        maxResults: z.number().int().min(1).max(10_000).default(200),
        bulkMaxOperations: z.number().int().min(1).max(10_000).default(1000),
        bulkMaxPayloadSize: z
          .number()
          .int()
          .min(1024)
          .max(100 * 1024 * 1024)
          .default(1024 * 1024),
      })
      .strict()
      .prefault({}),
    signIn: z
      .object({
        sessionHours: z
          .number()
          .min(0.1)
          .max(24 * 90)
          .default(12),
        /** Failed sign-ins in a row before the login is locked for lockoutMinutes. */
        maxFailures: z.number().int().min(1).max(100).default(5),
        lockoutMinutes: z
          .number()
          .min(1)
          .max(24 * 60)
          .default(15),
        /** An administrator's session ends after this many minutes without a request (sooner than sessionHours). */
        adminIdleMinutes: z
          .number()
          .min(0.05)
          .max(24 * 60)
          .default(30),
      })
      .strict()
      .prefault({}),
    mail: z
      .object({
        /** The sender of every mail (invitations, notifications). */
        from: z.string().min(3).default('provisiond <no-reply@localhost>'),
        /** Without smtp, mails are written as .eml files under DATA_DIR/mail instead of being sent. */
        smtp: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(587),
            /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
            secure: z.boolean().default(false),
            requireTLS: z.boolean().default(false),
            user: z.string().min(1).optional(),
            password: secretRefSchema.optional(),
          })
          .strict()
          .optional(),
        /** How often the delivery worker looks for mail to send. */
        pollSeconds: z.number().min(0.05).max(3600).default(2),
        /** Attempts before a mail is given up (status failed); retries back off exponentially. */
        maxAttempts: z.number().int().min(1).max(50).default(8),
        retryBaseSeconds: z.number().min(0.01).max(3600).default(30),
      })
      .strict()
      .prefault({}),
    invitations: z
      .object({
        /**
         * The key sealing invitation links so that administrators can copy them again (R-INV-6):
         * 32 bytes (base64 or hex) by reference. Without it, DATA_DIR/invitation-links.key is made
         * on first start; daemons sharing one PostgreSQL must all be given the same key.
         */
        linkKey: secretRefSchema.optional(),
      })
      .strict()
      .prefault({}),
    sources: z
      .array(sourceSchema)
      .default([{ name: 'builtin', type: 'builtin', allowSelfRegistration: false }])
      .superRefine((sources, ctx) => {
        const seen = new Set<string>();
        sources.forEach((s, i) => {
          if (seen.has(s.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `the source name "${s.name}" is used twice`,
            });
          seen.add(s.name);
        });
      }),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
