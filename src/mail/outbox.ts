import type { Knex } from 'knex';

// Mail to send is a row written in the same transaction as what it announces: an
// invitation never exists without its mail, nor a mail without its invitation.

import type { NoticeTemplate } from './notice-templates.ts';

export type MailTemplate = 'invitation' | 'added-to-organization' | NoticeTemplate;

export interface OutboxMail {
  orgId: string;
  invitationId: string | null;
  recipient: string;
  template: MailTemplate;
  language: 'en' | 'fr' | 'de';
  data: Record<string, string | null | undefined>;
}

export async function enqueueMail(trx: Knex.Transaction, mail: OutboxMail): Promise<void> {
  await trx('mail_outbox').insert({
    org_id: mail.orgId,
    invitation_id: mail.invitationId,
    recipient: mail.recipient,
    template: mail.template,
    language: mail.language,
    data: JSON.stringify(mail.data),
  });
}
