import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { LdapSourceConfig } from '../../plugins/ldap/config.ts';
import { secretRefSchema } from './source-fields.ts';
import { type AnySourceConfig, sourceSchema } from './source-schemas.ts';

// The configuration file's shape. Every key is checked at start; an unknown key is an error,
// since a misspelt key silently ignored is a setting the administrator believes is in force.

export type SourceEntry = AnySourceConfig;

export function isLdapSource(entry: { type: string }): entry is LdapSourceConfig {
  return entry.type === 'ldap';
}

/**
 * The embedded database's folder when none is configured: absolute, so that the daemon and the
 * CLI open the same database from any working directory. systemd's StateDirectory= first, then
 * the XDG data folder of the user.
 */
export function defaultDataDir(): string {
  const state = process.env.STATE_DIRECTORY?.split(':')[0];
  if (state) return state;
  const xdg = process.env.XDG_DATA_HOME;
  return path.join(
    xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.local', 'share'),
    'provisiond',
  );
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
        /**
         * The reverse proxies whose X-Forwarded-For is believed: addresses, CIDR ranges or the
         * names loopback, linklocal, uniquelocal. Without it the client address is the TCP peer.
         */
        trustProxy: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
        /** Deepest nesting of objects and arrays a JSON body may have. */
        maxNestingDepth: z.number().int().min(4).max(1000).default(32),
        /** Longest string any body, path segment or query value may hold (fields have their own,
         *  tighter limits). */
        maxStringLength: z.number().int().min(256).max(10_000_000).default(10_000),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
          .optional(),
        /** The embedded database's folder; load-config.ts makes it absolute once. */
        dataDir: z.string().min(1).default(defaultDataDir),
        /**
         * `auto`: the daemon applies pending migrations when it starts (the default for the
         * embedded database, which one process owns). `manual`: only `provisiond migrate` does,
         * and a daemon whose schema is behind refuses to start (the default on PostgreSQL, where
         * daemons of two releases share the database during a rolling upgrade).
         */
        migrate: z.enum(['auto', 'manual']).optional(),
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
        logRetentionDays: z.number().int().min(1).max(3650).default(90),
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
        /** Failed sign-ins in a row of one login from one client address before that login is
         *  locked for lockoutMinutes at that address (elsewhere it still signs in). */
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
        /** Failures of one login from addresses it has not signed in from in 30 days before it
         *  is locked there (its own known addresses stay open), for loginLockoutMinutes. */
        loginMaxFailures: z.number().int().min(1).max(10_000).default(50),
        loginLockoutMinutes: z
          .number()
          .min(1)
          .max(24 * 60)
          .default(15),
        /** Failures from one client address, whatever the login, before the address is refused
         *  for addressLockoutMinutes, doubling each time up to addressMaxLockoutMinutes. */
        addressMaxFailures: z.number().int().min(1).max(10_000).default(30),
        addressLockoutMinutes: z
          .number()
          .min(0.1)
          .max(24 * 60)
          .default(1),
        addressMaxLockoutMinutes: z
          .number()
          .min(0.1)
          .max(7 * 24 * 60)
          .default(60),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /** A bearer token /metrics requires (by reference). Without it, and without a port of
         *  its own, /metrics answers only direct requests from the daemon's own machine. */
        token: secretRefSchema.optional(),
        /** Serve /metrics on a listener of its own (a management network) instead of the main
         *  one; the token, when set, is required there too. */
        port: z.number().int().min(0).max(65535).optional(),
        host: z.string().min(1).default('127.0.0.1'),
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
         * The key sealing invitation links so that administrators can copy them again:
         * 32 bytes (base64 or hex) by reference. Without it, DATA_DIR/invitation-links.key is made
         * on first start; daemons sharing one PostgreSQL must all be given the same key.
         */
        linkKey: secretRefSchema.optional(),
      })
      .strict()
      .prefault({}),
    tracing: z
      .object({
        /** Where OTLP/HTTP traces go (e.g. http://127.0.0.1:4318/v1/traces); none: no traces. */
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
        serviceName: z.string().min(1).default('provisiond'),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        /** Rows deleted per statement: each batch is short, whatever the backlog. */
        batchSize: z.number().int().min(1).max(100_000).default(1000),
        /** How often the daemon prunes. */
        intervalMinutes: z
          .number()
          .min(1)
          .max(7 * 24 * 60)
          .default(60),
        /** Days each kind of history is kept (null: for ever); see src/retention/retention.ts. */
        days: z.record(z.string(), z.number().min(0).nullable()).default({}),
        /** Audit entries are appended to this file (JSON lines) before retention deletes them. */
        auditArchive: z.string().min(1).optional(),
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

/** Whether the daemon applies migrations at start: as configured, else only on the embedded database. */
export function migrateMode(config: Config): 'auto' | 'manual' {
  return config.database.migrate ?? (config.database.url ? 'manual' : 'auto');
}
