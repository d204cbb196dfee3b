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
  const org = await trx('organizations').where('id', orgId).first('name');
  const admins = await administratorEmails(trx, orgId);
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

/** The addresses of the organization's active administrators (members without one are skipped). */
function administratorEmails(
  trx: Knex.Transaction,
  orgId: string,
): Knex.QueryBuilder<{ email: string }, Array<{ email: string }>> {
  return trx('members as m')
    .join('roles as r', 'r.id', 'm.role_id')
    .where({ 'm.org_id': orgId, 'm.status': 'active' })
    .whereNotNull('m.email')
    .whereRaw("'admin' = any(r.privileges)")
    .select('m.email');
}
