import type { Knex } from 'knex';
import type { NoticeData, NoticeTemplate } from './notice-templates.ts';
import type { MailData } from './templates.ts';

// Mail to send is a row written in the same transaction as what it announces: an invitation
// never exists without its mail, nor a mail without its invitation. The invitation link in a
// mail's data is a secret: it is stored sealed (AES-256-GCM under the key outside the database)
// and opened only to render the mail at delivery, so that neither the row nor the old row
// versions a database keeps in its files until they are vacuumed hold the link.

declare module '../store/tables/column-types.ts' {
  interface ColumnTypes {
    'mail_outbox.template': MailTemplate;
    'mail_outbox.data': StoredMailData;
  }
}

/** A mail's data as stored: one of the templates' data, its link sealed. */
type StoredMailData = MailData & NoticeData & { sealedLink?: string };

/** Seals and opens the link (the invitation link sealer). */
export interface MailSealer {
  seal(text: string): Buffer;
  open(sealed: Buffer): string | null;
}

/** The stored form of a mail's data: the link replaced by its sealed form. */
export function sealedMailData<T extends Record<string, string | null | undefined>>(
  data: T,
  sealer?: MailSealer,
): T {
  const { link, ...rest } = data;
  if (!link) return data;
  // A mail with a link and no sealer is a programming error: the link would be stored in clear.
  if (!sealer) throw new Error('a mail carrying a link is enqueued without the link sealer');
  return { ...rest, link: null, sealedLink: sealer.seal(link).toString('base64') } as unknown as T;
}

/** The data to render from the stored form; null when the link was sealed under another key. */
export function openedMailData<T extends { link: string | null }>(
  stored: T & { sealedLink?: string },
  sealer: MailSealer,
): T | null {
  const { sealedLink, ...data } = stored;
  if (!sealedLink) return data as unknown as T;
  const link = sealer.open(Buffer.from(sealedLink, 'base64'));
  return link === null ? null : ({ ...data, link } as unknown as T);
}

type MailTemplate = 'invitation' | 'added-to-organization' | NoticeTemplate;

export interface OutboxMail {
  orgId: string;
  invitationId: string | null;
  recipient: string;
  template: MailTemplate;
  language: 'en' | 'fr' | 'de';
  data: Record<string, string | null | undefined>;
}

export async function enqueueMail(
  trx: Knex.Transaction,
  mail: OutboxMail,
  /** Required for a mail carrying an invitation link. */
  sealer?: MailSealer,
): Promise<void> {
  await trx('mail_outbox').insert({
    org_id: mail.orgId,
    invitation_id: mail.invitationId,
    recipient: mail.recipient,
    template: mail.template,
    language: mail.language,
    data: JSON.stringify(sealedMailData(mail.data, sealer)),
  });
}
