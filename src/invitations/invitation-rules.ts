import { createHash, randomBytes } from 'node:crypto';

// Pure rules of email invitations: modes, expiry, tokens, links, status.

export const INVITATION_MODES = [
  'any-account',
  'organization-logins',
  'add-and-notify',
  'add-without-invitation',
] as const;
export const MAIL_LANGUAGES = ['en', 'fr', 'de'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];
export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'deleted' | 'added';

const DAY_MS = 86_400_000;

/** A configured source, as far as invitations care: its name and its kind. */
export interface ConfiguredSource {
  name: string;
  type: string;
}

/**
 * Why invitations that accept organization logins only cannot be sent, or null: without a SAML or
 * OpenID Connect source the invitee would have no way to sign in and join.
 */
export function organizationLoginsIssue(sources: ReadonlyArray<ConfiguredSource>): string | null {
  if (sources.some((s) => s.type === 'saml' || s.type === 'oidc')) return null;
  return 'the organization-logins mode needs a SAML or OpenID Connect source to sign in with, and none is configured; invite with any-account, or configure an enterprise source first';
}
const TOKEN = /^inv_[A-Za-z0-9_-]{43}$/;

/** The link's secret: 256 random bits; only its SHA-256 is stored. */
export function newInvitationToken(): { token: string; hash: Buffer } {
  const token = `inv_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function looksLikeInvitationToken(token: string): boolean {
  return TOKEN.test(token);
}

export function invitationExpiry(sentAt: Date, days: number): Date {
  return new Date(sentAt.getTime() + days * DAY_MS);
}

export function invitationLink(publicUrl: string, token: string, language: MailLanguage): string {
  return `${publicUrl.replace(/\/$/, '')}/invitations/accept?token=${token}&lang=${language}`;
}

/** A pending invitation past its expiry reads as expired; the stored status is kept for the rest. */
export function invitationStatus(
  row: { status: 'pending' | 'accepted' | 'deleted' | 'added'; expiresAt: Date },
  now: Date,
): InvitationStatus {
  if (row.status === 'pending' && row.expiresAt.getTime() <= now.getTime()) return 'expired';
  return row.status;
}

/**
 * A placeholder username for a pending member who chooses their own at acceptance: the members
 * table needs one, and this shape (with a random part) cannot collide with a chosen one in practice.
 */
export function placeholderUsername(): string {
  return `pending.${randomBytes(8).toString('hex')}`;
}

/** The sign-in hook's two kinds: only 'organization-logins' is limited to enterprise sign-ins. */
export function hookMode(mode: string): 'any-account' | 'organization-logins' {
  return mode === 'organization-logins' ? 'organization-logins' : 'any-account';
}
