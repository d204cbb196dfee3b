import type { Knex } from 'knex';
import { hashToken, newToken } from './session-token.ts';

// The state of a redirect sign-in between leaving for the identity provider and coming back
// (OIDC verifier and nonce, SAML request id), kept server-side for ten minutes and used once.
// The flow id travels as OIDC `state` / SAML RelayState; only its hash is stored.

const FLOW_MINUTES = 10;

export interface Flow {
  orgId: string;
  source: string;
  pending: Record<string, string>;
  invitationToken: string | null;
  /** Where the browser goes once signed in (a path of this daemon). */
  returnTo: string;
}

export function newFlowId(): { id: string; hash: Buffer } {
  const { token, hash } = newToken();
  return { id: token, hash };
}

export async function saveFlow(db: Knex, hash: Buffer, flow: Flow): Promise<void> {
  await db('sign_in_flows').where('expires_at', '<', new Date()).delete();
  await db('sign_in_flows').insert({
    id_hash: hash,
    org_id: flow.orgId,
    source: flow.source,
    data: JSON.stringify(flow.pending),
    invitation_token: flow.invitationToken,
    return_to: flow.returnTo,
    expires_at: new Date(Date.now() + FLOW_MINUTES * 60_000),
  });
}

/** Takes the flow out (a second callback with the same id finds nothing), or null when unknown or expired. */
export async function takeFlow(db: Knex, id: string, source: string): Promise<Flow | null> {
  const rows = await db('sign_in_flows')
    .where({ id_hash: hashToken(id), source })
    .andWhere('expires_at', '>', new Date())
    .delete()
    .returning(['org_id', 'source', 'data', 'invitation_token', 'return_to']);
  const row = (Array.isArray(rows) ? rows[0] : undefined) as
    | {
        org_id: string;
        source: string;
        data: Record<string, string>;
        invitation_token: string | null;
        return_to: string;
      }
    | undefined;
  return row
    ? {
        orgId: row.org_id,
        source: row.source,
        pending: row.data,
        invitationToken: row.invitation_token,
        returnTo: row.return_to,
      }
    : null;
}
