import { validate as validCron } from 'node-cron';
import { z } from 'zod';
import { secretRefSchema, sourceNameSchema } from '../../src/plugin-api.ts';

// The shape of a `type: ldap` source. Flavors set the defaults that differ between directories
// (attribute names, stable id, nested groups); every default can be overridden key by key.

const searchSchema = z
  .object({
    baseDN: z.string().min(1),
    filter: z
      .string()
      .regex(/^\(.*\)$/s, 'must be an LDAP filter in parentheses')
      .optional(),
  })
  .strict();

/** Reactions to a record with no member: create a member, send an invitation, or leave it. */
const UNMATCHED_REACTIONS = ['create', 'invite', 'ignore'] as const;

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const cron = z
  .string()
  .refine((v) => validCron(v), 'must be a cron expression (5 fields, or 6 with seconds first)');

export const ldapSourceSchema = z
  .object({
    name: sourceNameSchema,
    type: z.literal('ldap'),
    flavor: z.enum(['openldap', 'ad', 'generic']).default('generic'),
    url: z
      .string()
      .regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]'),
    startTLS: z.boolean().default(false),
    /** PEM file of the CA that signed the directory's certificate (ldaps:// or StartTLS). */
    caFile: z.string().min(1).optional(),
    bindDN: z.string().min(1),
    bindCredentials: secretRefSchema,
    /** AD: the NetBIOS domain of logins `sAMAccountName@DOMAIN`; taken from the base DN when absent. */
    domain: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/)
      .optional(),
    timeoutSeconds: z.number().int().min(1).max(600).default(30),
    /** Entries per page of a paged search: small pages keep less garbage alive; see the README. */
    pageSize: z.number().int().min(10).max(10_000).default(250),
    users: searchSchema
      .extend({
        /** Only sync members of these enterprise groups (DN): "add members from a group". */
        memberOf: z.array(z.string().min(1)).default([]),
        loginAttribute: z.string().min(1).optional(),
        attributes: z
          .object({
            email: z.string().min(1).default('mail'),
            firstName: z.string().min(1).default('givenName'),
            lastName: z.string().min(1).default('sn'),
            displayName: z.string().min(1).default('displayName'),
            /** Profile attributes: the flavor's attribute is read when one is not named here. */
            department: z.string().min(1).optional(),
            title: z.string().min(1).optional(),
            employeeNumber: z.string().min(1).optional(),
            phone: z.string().min(1).optional(),
            manager: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict(),
    groups: searchSchema
      .extend({
        nameAttribute: z.string().min(1).default('cn'),
        /** `member` holds DNs (groupOfNames, AD); `memberUid` holds logins (posixGroup). */
        membershipAttribute: z.enum(['member', 'uniqueMember', 'memberUid']).default('member'),
        nested: z.boolean().optional(),
      })
      .strict()
      .optional(),
    correlate: z.array(z.enum(['username', 'email'])).default(['username']),
    onUnmatched: z.enum(UNMATCHED_REACTIONS).default('create'),
    /** With `onUnmatched: invite`: an expired invitation is sent again (fresh link and expiry) by the next run. */
    reinviteAfterExpiry: z.boolean().default(false),
    onDeleted: z.enum(['disable', 'delete', 'ignore']).default('disable'),
    /** Enterprise groups to organization role / user type: the first rule naming one of the user's groups wins. */
    roleRules: z
      .array(
        z
          .object({
            group: z.string().min(1),
            role: z.string().min(1).optional(),
            userType: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    /** Enterprise group (DN or name) to organization group name; unnamed groups keep their own name. */
    groupNames: z.record(z.string(), z.string().min(1).max(256)).default({}),
    deletionGuard: z
      .object({
        percent: z.number().min(0).max(100).default(10),
        max: z.number().int().min(0).default(500),
      })
      .strict()
      .prefault({}),
    schedule: z
      .object({
        full: cron.optional(),
        incremental: cron.optional(),
        /** The IANA time zone the cron expressions are read in (default: the daemon's). */
        timezone: z
          .string()
          .refine(validTimeZone, 'must be an IANA time zone such as Europe/Paris or UTC')
          .optional(),
        /** The organizations (slug or id) whose members this schedule syncs; default: the default organization. */
        organizations: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * Failing scheduled runs back off (the first wait doubles after each failure, up to the cap);
     * after `quarantineAfter` failures in a row the schedule pauses until `sources resume`.
     */
    health: z
      .object({
        backoffSeconds: z.number().int().min(1).max(86_400).default(60),
        maxBackoffSeconds: z.number().int().min(1).max(604_800).default(3600),
        quarantineAfter: z.number().int().min(1).max(1000).default(5),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((source, ctx) => {
    if (source.startTLS && source.url.startsWith('ldaps:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['startTLS'],
        message: 'StartTLS is for ldap:// URLs; ldaps:// is already encrypted',
      });
    }
    if (source.reinviteAfterExpiry && source.onUnmatched !== 'invite') {
      ctx.addIssue({
        code: 'custom',
        path: ['reinviteAfterExpiry'],
        message: `re-issues the invitations of onUnmatched: invite, but onUnmatched is ${source.onUnmatched}`,
      });
    }
  });

export type LdapSourceConfig = z.infer<typeof ldapSourceSchema>;
