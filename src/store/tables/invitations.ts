import type { Column, Table } from './column-types.ts';

// Invitations, invitation codes and their redemption throttle, and the mail outbox.

export interface InvitationRow {
  id: string;
  org_id: string;
  member_id: string | null;
  email: string;
  role_id: string | null;
  mode: 'any-account' | 'organization-logins' | 'add-and-notify' | 'existing-account';
  must_use_invited_email: boolean;
  language: 'en' | 'fr' | 'de';
  message: string | null;
  token_hash: Uint8Array | null;
  token_sealed: Uint8Array | null;
  status: 'pending' | 'accepted' | 'deleted' | 'added';
  invited_by: string;
  source: string | null;
  external_id: string | null;
  created_at: Date;
  sent_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  deleted_at: Date | null;
}

export interface InvitationCodeRow {
  id: string;
  org_id: string;
  code_hash: Uint8Array;
  code_hint: string;
  group_id: string | null;
  role_ids: string[];
  role_parameter: string | null;
  batch_id: string;
  created_by: string;
  created_by_member_id: string | null;
  created_at: Date;
  valid_until: Date;
  disabled_at: Date | null;
  used_at: Date | null;
  used_by_member_id: string | null;
}

export interface CodeRedeemFailureRow {
  org_id: string;
  limiter_key: string;
  failures: number;
  window_started_at: Date;
}

export interface MailOutboxRow {
  id: number;
  org_id: string;
  invitation_id: string | null;
  recipient: string;
  template: Column<'mail_outbox.template', string>;
  language: 'en' | 'fr' | 'de';
  data: Column<'mail_outbox.data', Record<string, unknown>> | null;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  claimed_by: string | null;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    invitations: Table<InvitationRow>;
    invitation_codes: Table<InvitationCodeRow>;
    code_redeem_failures: Table<CodeRedeemFailureRow>;
    mail_outbox: Table<MailOutboxRow>;
  }
}
