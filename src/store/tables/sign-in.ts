import type { Column, Table } from './column-types.ts';

// Sign-in: sessions, password setup links, throttling, redirect flows in progress and the
// assertions already consumed.

export interface SessionRow {
  id: string;
  org_id: string;
  member_id: string;
  token_hash: Uint8Array;
  source: string;
  must_change_password: boolean;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_seen_at: Date;
}

export interface SetupLinkRow {
  id: string;
  org_id: string;
  member_id: string;
  token_hash: Uint8Array;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface SignInFailureRow {
  org_id: string;
  login_key: string;
  failures: number;
  lockouts: number;
  locked_until: Date | null;
  last_failure_at: Date;
}

export interface SignInKnownAddressRow {
  org_id: string;
  login_key: string;
  address: string;
  last_success_at: Date;
}

export interface SignInFlowRow {
  id_hash: Uint8Array;
  org_id: string;
  source: string;
  data: Column<'sign_in_flows.data', Record<string, unknown>>;
  invitation_token: string | null;
  return_to: string;
  created_at: Date;
  expires_at: Date;
}

export interface ConsumedAssertionRow {
  org_id: string;
  source: string;
  assertion_id: string;
  expires_at: Date;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    sessions: Table<SessionRow>;
    setup_links: Table<SetupLinkRow>;
    sign_in_failures: Table<SignInFailureRow>;
    sign_in_known_addresses: Table<SignInKnownAddressRow>;
    sign_in_flows: Table<SignInFlowRow>;
    consumed_assertions: Table<ConsumedAssertionRow>;
  }
}
