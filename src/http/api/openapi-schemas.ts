import { simpleObject } from './openapi-parts.ts';
import { syncSchemas } from './openapi-sync.ts';

// The shared response schemas of /api/v1, referenced as #/components/schemas/NAME.

export const componentSchemas = {
  ...syncSchemas,
  Problem: {
    type: 'object',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      issues: {
        type: 'array',
        items: simpleObject({ field: { type: 'string' }, message: { type: 'string' } }),
      },
    },
  },
  Member: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      username: { type: 'string' },
      email: { type: 'string' },
      firstName: { type: 'string' },
      lastName: { type: 'string' },
      displayName: { type: 'string' },
      description: { type: 'string' },
      userType: { type: 'object' },
      role: { type: 'object' },
      additionalRoles: { type: 'array' },
      groupRoles: {
        type: 'array',
        description:
          'roles held within one group only, each with its group (granted by a code scoped to that group)',
      },
      status: { enum: ['pending', 'active', 'disabled'] },
      source: { type: 'string' },
      groups: { type: 'array' },
      links: { type: 'array' },
      licenses: { type: 'array' },
      categories: { type: 'array' },
      credits: { type: ['number', 'null'], description: 'null means unlimited' },
      settings: { type: 'object' },
      directory: {
        type: 'object',
        description:
          'profile attributes mapped from a directory source (department, title, employeeNumber, phone, manager, accountExpires)',
      },
      hasPassword: { type: 'boolean' },
      mustChangePassword: { type: 'boolean' },
      lastSignInAt: { type: ['string', 'null'] },
      version: { type: 'integer' },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
    },
  },
  Group: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      memberCount: { type: 'integer' },
    },
  },
  Role: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      aliases: { type: 'array' },
      privileges: { type: 'array' },
      parameterName: { type: ['string', 'null'] },
      parameterRequired: {
        type: 'boolean',
        description: 'whether grants must carry the parameter (else it is optional)',
      },
      exclusiveSet: { type: ['string', 'null'] },
    },
  },
  UserType: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      fileId: { type: 'string' },
      privileges: { type: 'array' },
      compatibleRoles: { type: 'array' },
    },
  },
  License: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      userTypes: { type: 'array', items: { type: 'string' } },
      quantity: { type: ['integer', 'null'], description: 'null: no limit' },
      inUse: { type: 'integer', description: 'active and disabled members holding it' },
      pendingInvitations: {
        type: 'integer',
        description: 'given with invitations not yet accepted (not counted as in use)',
      },
      available: { type: ['integer', 'null'], description: 'null: no limit' },
      migrated: { type: 'boolean' },
    },
  },
  ApiKey: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      role: { enum: ['editor', 'viewer'] },
      scopes: { type: 'array', items: { enum: ['api', 'scim'] } },
      createdBy: { type: 'string' },
      createdByEmail: { type: ['string', 'null'], description: "the creator's email" },
      createdAt: { type: 'string' },
      expiresAt: { type: 'string' },
      lastUsedAt: { type: ['string', 'null'] },
      status: { enum: ['active', 'expired'] },
    },
  },
  ProvisioningEntry: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      at: { type: 'string' },
      keyId: { type: ['string', 'null'] },
      keyTitle: { type: ['string', 'null'] },
      method: { type: 'string' },
      operation: { enum: ['create', 'replace', 'update', 'delete', 'bulk'] },
      resourceType: { enum: ['User', 'Group', 'Bulk'] },
      targetId: { type: ['string', 'null'] },
      status: { type: 'integer' },
      attributes: { type: 'array', items: { type: 'string' } },
      detail: { type: ['string', 'null'] },
      path: { type: ['string', 'null'], description: 'a Bulk operation: its path as sent' },
      bulkId: { type: ['string', 'null'], description: 'a Bulk operation: its bulkId' },
      bulkEntryId: {
        type: ['integer', 'null'],
        description: 'a Bulk operation: the entry of the Bulk request it was part of',
      },
    },
  },
  AuditEntry: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      at: { type: 'string' },
      actor: { type: 'object' },
      action: { type: 'string' },
      target: { type: 'object' },
      before: {},
      after: {},
    },
  },
  Resource: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      kind: { type: 'string' },
      name: { type: 'string' },
      owner: { type: 'object' },
      sharedWith: { type: 'array' },
    },
  },
  Organization: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      slug: { type: 'string' },
      membershipLimit: { type: ['integer', 'null'] },
      allowAdminInvitations: { type: 'boolean' },
      allowInvitationsWithoutRole: {
        type: 'boolean',
        description: 'invitations may give no role (role: null); the invitee gets the defaults',
      },
      scimPasswordPush: {
        type: 'boolean',
        description:
          'a password an identity provider sends over SCIM becomes the built-in password (off by default)',
      },
      invitationExpiryDays: { type: 'integer' },
      newMemberDefaults: { type: 'object' },
    },
  },
};
