import type { Knex } from 'knex';
import type { NoticeData, NoticeTemplate } from '../mail/notice-templates.ts';
import { enqueueMail } from '../mail/outbox.ts';

// Tells an organization's administrators (active members whose role carries the admin
// privilege) about a source that needs them, through the mail outbox: written in the same
// transaction as what it announces, sent by the delivery worker.

export async function notifyAdministrators(
  trx: Knex.Transaction,
  orgId: string,
  template: NoticeTemplate,
  data: Omit<NoticeData, 'organization'>,
): Promise<number> {
  const org = (await trx('organizations').where('id', orgId).first('name')) as
    | { name: string }
    | undefined;
  const admins = (await trx('members as m')
    .join('roles as r', 'r.id', 'm.role_id')
    .where({ 'm.org_id': orgId, 'm.status': 'active' })
    .whereNotNull('m.email')
    .whereRaw("'admin' = any(r.privileges)")
    .select('m.email')) as Array<{ email: string }>;
  for (const { email } of admins)
    await enqueueMail(trx, {
      orgId,
      invitationId: null,
      recipient: email,
      template,
      language: 'en',
      data: { organization: org?.name ?? orgId, ...data },
    });
  return admins.length;
}
