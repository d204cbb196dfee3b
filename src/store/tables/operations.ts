import type { Column, Table } from './column-types.ts';

// API keys, the resources members and keys own, the audit trail, the SCIM provisioning log and
// the processes working on the database.

export interface ApiKeyRow {
  id: string;
  org_id: string;
  title: string;
  role: 'editor' | 'viewer';
  scopes: Array<'api' | 'scim'>;
  secret_hash: Uint8Array;
  created_by: string;
  created_by_email: string | null;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
}

export interface ResourceRow {
  id: string;
  org_id: string;
  kind: string;
  name: string;
  /** Exactly one of the two owners is set. */
  owner_member_id: string | null;
  owner_key_id: string | null;
  created_at: Date;
}

export interface ResourceAccessRow {
  resource_id: string;
  member_id: string;
  permission: string;
}

export interface AuditLogRow {
  id: number;
  org_id: string | null;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
}

export interface ScimProvisioningLogRow {
  id: number;
  org_id: string;
  at: Date;
  key_id: string | null;
  key_title: string | null;
  method: string;
  operation: Column<'scim_provisioning_log.operation', string>;
  resource_type: Column<'scim_provisioning_log.resource_type', string>;
  target_id: string | null;
  status: number;
  attributes: string[];
  detail: string | null;
  /** For an operation of a Bulk request: the request's entry, and the path and bulkId sent. */
  bulk_entry_id: number | null;
  path: string | null;
  bulk_id: string | null;
}

export interface InstanceRow {
  id: string;
  kind: string;
  host: string;
  pid: number;
  lock_key: number;
  link_key_id: string | null;
  release: string | null;
  started_at: Date;
  heartbeat_at: Date;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    api_keys: Table<ApiKeyRow>;
    resources: Table<ResourceRow>;
    resource_access: Table<ResourceAccessRow>;
    audit_log: Table<AuditLogRow>;
    scim_provisioning_log: Table<ScimProvisioningLogRow>;
    instances: Table<InstanceRow>;
  }
}
