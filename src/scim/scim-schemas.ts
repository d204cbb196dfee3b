// The resource schemas this service provider serves (RFC 7643 §4, §7, §8.7): the same definitions
// answer /Schemas and drive the handling of values (booleans sent as "True", caseExact, mutability).

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

export interface AttributeDef {
  name: string;
  type: 'string' | 'boolean' | 'dateTime' | 'reference' | 'complex' | 'integer';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: Mutability;
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  subAttributes?: AttributeDef[];
  referenceTypes?: string[];
  description?: string;
}

const str = (name: string, extra: Partial<AttributeDef> = {}): AttributeDef => ({
  name,
  type: 'string',
  ...extra,
});
const multi = (name: string, sub: AttributeDef[]): AttributeDef => ({
  name,
  type: 'complex',
  multiValued: true,
  subAttributes: [
    str('value'),
    str('display', { mutability: 'readOnly' }),
    str('type'),
    { name: 'primary', type: 'boolean' },
    ...sub,
  ],
});

export const USER_ATTRIBUTES: AttributeDef[] = [
  str('userName', {
    required: true,
    uniqueness: 'server',
    description: 'Unique in the organization, compared without regard to case',
  }),
  {
    name: 'name',
    type: 'complex',
    subAttributes: [
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ].map((n) => str(n)),
  },
  str('displayName'),
  str('nickName'),
  { name: 'profileUrl', type: 'reference', referenceTypes: ['external'] },
  str('title'),
  str('userType'),
  str('preferredLanguage'),
  str('locale'),
  str('timezone'),
  { name: 'active', type: 'boolean' },
  str('password', {
    mutability: 'writeOnly',
    returned: 'never',
    description:
      "The member's built-in password when the organization accepts password push (scimPasswordPush); otherwise discarded",
  }),
  multi('emails', []),
  multi('phoneNumbers', []),
  multi('ims', []),
  multi('photos', []),
  multi('entitlements', []),
  multi('roles', []),
  multi('x509Certificates', []),
  {
    name: 'addresses',
    type: 'complex',
    multiValued: true,
    subAttributes: [
      'formatted',
      'streetAddress',
      'locality',
      'region',
      'postalCode',
      'country',
      'type',
    ]
      .map((n) => str(n))
      .concat({ name: 'primary', type: 'boolean' }),
  },
  {
    name: 'groups',
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      str('value', { mutability: 'readOnly' }),
      { name: '$ref', type: 'reference', referenceTypes: ['Group'], mutability: 'readOnly' },
      str('display', { mutability: 'readOnly' }),
    ],
  },
];

export const ENTERPRISE_ATTRIBUTES: AttributeDef[] = [
  str('employeeNumber'),
  str('costCenter'),
  str('organization'),
  str('division'),
  str('department'),
  {
    name: 'manager',
    type: 'complex',
    subAttributes: [
      str('value'),
      { name: '$ref', type: 'reference', referenceTypes: ['User'] },
      str('displayName', { mutability: 'readOnly' }),
    ],
  },
];

export const GROUP_ATTRIBUTES: AttributeDef[] = [
  str('displayName', { required: true, uniqueness: 'server' }),
  {
    name: 'members',
    type: 'complex',
    multiValued: true,
    subAttributes: [
      str('value', { mutability: 'immutable' }),
      { name: '$ref', type: 'reference', referenceTypes: ['User'], mutability: 'immutable' },
      str('display', { mutability: 'readOnly' }),
      str('type', { mutability: 'immutable' }),
    ],
  },
];

function describeAttribute(a: AttributeDef): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    description: a.description ?? '',
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? 'readWrite',
    returned: a.returned ?? 'default',
    uniqueness: a.uniqueness ?? 'none',
    ...(a.referenceTypes && { referenceTypes: a.referenceTypes }),
    ...(a.subAttributes && { subAttributes: a.subAttributes.map(describeAttribute) }),
  };
}

function schemaResource(
  id: string,
  name: string,
  description: string,
  attributes: AttributeDef[],
  base: string,
) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id,
    name,
    description,
    attributes: attributes.map(describeAttribute),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  };
}

export function schemaResources(base: string) {
  return [
    schemaResource(USER_SCHEMA, 'User', 'User Account', USER_ATTRIBUTES, base),
    schemaResource(
      ENTERPRISE_SCHEMA,
      'EnterpriseUser',
      'Enterprise User',
      ENTERPRISE_ATTRIBUTES,
      base,
    ),
    schemaResource(GROUP_SCHEMA, 'Group', 'Group', GROUP_ATTRIBUTES, base),
  ];
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export interface ScimLimits {
  maxResults: number;
  bulkMaxOperations: number;
  bulkMaxPayloadSize: number;
}

export function serviceProviderConfig(base: string, limits: ScimLimits, passwordPush: boolean) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/provisiond/provisiond#scim',
    patch: { supported: true },
    bulk: {
      supported: true,
      maxOperations: limits.bulkMaxOperations,
      maxPayloadSize: limits.bulkMaxPayloadSize,
    },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: passwordPush },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'API key',
        description: 'An API key of the organization as a bearer token (provisiond keys create)',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}
