import type { ImportModeInfo } from '../../api/types.ts';
import type { Language } from '../../i18n/i18n.tsx';

// What the administrator imports: a CSV file of one of the daemon's modes (GET /imports/modes),
// or a CreateUsers file (Portal for ArcGIS) of enterprise or built-in accounts. Each choice
// becomes the query of the upload.

export const CREATE_USERS = ['createusers-enterprise', 'createusers-builtin'] as const;

export function isCreateUsers(choice: string): boolean {
  return (CREATE_USERS as readonly string[]).includes(choice);
}

/** The daemon keeps at most 256 MiB of one file; a bigger one is refused before it is sent. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** CSV files and the text files CreateUsers reads; other kinds are refused in the page. */
export function looksLikeText(file: File): boolean {
  return /\.(csv|txt|tsv)$/i.test(file.name) || file.type.startsWith('text/');
}

export interface UploadOptions {
  message: string;
  defaultEmail: string;
  source: string;
}

export const NO_OPTIONS: UploadOptions = { message: '', defaultEmail: '', source: '' };

export function uploadQuery(
  choice: string,
  mode: ImportModeInfo | undefined,
  options: UploadOptions & { fileName: string; language: Language },
): Record<string, string | undefined> {
  const base = {
    fileName: options.fileName.slice(0, 500),
    defaultEmail: options.defaultEmail.trim() || undefined,
  };
  if (isCreateUsers(choice))
    return { ...base, format: 'createusers', idp: choice.replace('createusers-', '') };
  return {
    ...base,
    format: 'csv',
    mode: choice,
    source: (choice === 'add-org-ids' && options.source) || undefined,
    ...(mode?.invitation && {
      language: options.language,
      message: options.message.trim() || undefined,
    }),
  };
}
