import { errors, list, paging, query } from './openapi-parts.ts';

// The OpenAPI paths of the SCIM provisioning log and the audit log.

export function logPaths(): Record<string, object> {
  return {
    '/scim/log': {
      get: {
        summary:
          'The SCIM provisioning log, newest first: each SCIM write with its key, operation, target, status and the names of the attributes it touched (never values)',
        parameters: [
          query('keyId', 'the API key the identity provider used'),
          query('targetId', 'the user or group id'),
          query('bulkEntryId', 'the operations of the Bulk request logged as this entry'),
          query('operation', 'create, replace, update, delete or bulk'),
          query('resourceType', 'User, Group or Bulk'),
          query('outcome', 'success (status below 400) or failure'),
          query('status', 'an HTTP status, e.g. 409'),
          query('since', 'ISO date-time'),
          query('until', 'ISO date-time'),
          ...paging,
        ],
        responses: { 200: list('ProvisioningEntry'), ...errors },
      },
    },
    '/audit': {
      get: {
        summary: 'The audit log, newest first',
        parameters: [
          query('action', 'e.g. member.create'),
          query('targetId', 'id of the changed thing'),
          query('actorId', 'key or member id'),
          query('actor', 'the actor by id or name (username, key title), case-insensitive'),
          query('targetType', 'e.g. member, organization, invitation'),
          query('since', 'ISO date-time'),
          query('until', 'ISO date-time'),
          ...paging,
        ],
        responses: { 200: list('AuditEntry'), ...errors },
      },
    },
  };
}
