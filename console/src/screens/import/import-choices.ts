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

export function uploadQuery(
  choice: string,
  options: { fileName: string; invitation: boolean; language: Language; message: string },
): Record<string, string | undefined> {
  const base = { fileName: options.fileName.slice(0, 500) };
  if (isCreateUsers(choice))
    return { ...base, format: 'createusers', idp: choice.replace('createusers-', '') };
  return {
    ...base,
    format: 'csv',
    mode: choice,
    ...(options.invitation && {
      language: options.language,
      message: options.message.trim() || undefined,
    }),
  };
}
