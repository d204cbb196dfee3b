import type { Privilege } from '../access/privileges.ts';

// The catalog every new organization starts with. Aliases are the French labels of the
// administrators' guides and the user-type ids of CreateUsers files.

export interface UserTypeDefinition {
  name: string;
  fileId: string;
  aliases: string[];
  privileges: Privilege[];
}

export interface RoleDefinition {
  name: string;
  aliases: string[];
  privileges: Privilege[];
  parameterName?: string | null;
  exclusiveSet?: string | null;
}

const ALL: Privilege[] = ['view', 'edit_data', 'create_content', 'share', 'publish', 'admin'];
const CONTRIBUTE: Privilege[] = ['view', 'edit_data', 'create_content', 'share'];

export const DEFAULT_USER_TYPES: UserTypeDefinition[] = [
  { name: 'Viewer', fileId: 'viewerUT', aliases: [], privileges: ['view'] },
  {
    name: 'Contributor',
    fileId: 'contributorUT',
    aliases: ['editorUT', 'Editor'],
    privileges: CONTRIBUTE,
  },
  {
    name: 'Mobile Worker',
    fileId: 'mobileWorkerUT',
    aliases: ['fieldworkerUT', 'Field Worker'],
    privileges: CONTRIBUTE,
  },
  { name: 'Creator', fileId: 'creatorUT', aliases: [], privileges: ALL },
  {
    name: 'Professional',
    fileId: 'professionalUT',
    aliases: [
      'GISProfessionalBasicUT',
      'GISProfessionalStdUT',
      'GIS Professional Basic',
      'GIS Professional Standard',
    ],
    privileges: ALL,
  },
  {
    name: 'Professional Plus',
    fileId: 'professionalPlusUT',
    aliases: ['GISProfessionalAdvUT', 'GIS Professional Advanced'],
    privileges: ALL,
  },
];

export const DEFAULT_ROLES: RoleDefinition[] = [
  { name: 'Viewer', aliases: ['Consultation'], privileges: ['view'] },
  {
    name: 'Data Editor',
    aliases: ['Mise à jour', 'Mise a jour', 'Editor'],
    privileges: ['view', 'edit_data'],
  },
  { name: 'User', aliases: ['Utilisation'], privileges: CONTRIBUTE },
  { name: 'Publisher', aliases: ['Publication'], privileges: [...CONTRIBUTE, 'publish'] },
  { name: 'Administrator', aliases: ['Administration', 'Admin'], privileges: ALL },
];

/** What a new member gets unless the request says otherwise. */
export const DEFAULT_NEW_MEMBER = { userType: 'Creator', role: 'User' } as const;
