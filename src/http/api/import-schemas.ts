import { z } from 'zod';
import {
  FIELD_LABELS,
  IMPORT_MODES,
  type ImportField,
  MODE_IDS,
  type ModeId,
  templateOf,
} from '../../import/import-modes.ts';

// The answers of the import endpoints, shared by the handlers and the OpenAPI document.

const columnSchema = z.object({
  field: z.string(),
  label: z.string().describe("the English label: what the report's issues name as their field"),
  accepted: z
    .array(z.string())
    .describe('every label a header may use for it (English, French, German)'),
  required: z.boolean(),
});

const importModeSchema = z.object({
  id: z.enum(MODE_IDS),
  title: z.string(),
  header: z.string().describe("the English template's header line"),
  invitation: z.boolean().describe('the mode sends invitation mails'),
  columns: z
    .array(columnSchema)
    .describe(
      'the columns a file of this mode may have: the template order, then other optional ones',
    ),
});

export const importModesSchema = z.object({
  items: z.array(importModeSchema),
  total: z.number().int(),
});

const issueSchema = z.object({
  line: z.number().int().nullable().describe('the line of the file; null for the file as a whole'),
  field: z.string().nullable().describe('the English label of the column, or null for the row'),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
});

export const importRunSchema = z.object({
  id: z.string(),
  format: z.enum(['csv', 'createusers']),
  mode: z.string(),
  options: z.record(z.string(), z.unknown()),
  fileName: z.string().nullable(),
  fileSha256: z.string(),
  fileBytes: z.number().int(),
  status: z.enum(['validated', 'applying', 'applied', 'failed']),
  report: z.object({
    format: z.enum(['csv', 'createusers']),
    mode: z.string(),
    separator: z.string().nullable(),
    rows: z.number().int(),
    lastLine: z.number().int(),
    valid: z.number().int(),
    invalid: z.number().int(),
    alreadyPresent: z.number().int(),
    toCreate: z.number().int(),
    fileError: z.boolean().describe('the file as a whole cannot be read: nothing can be applied'),
    membershipLimit: z
      .object({ limit: z.number().int(), count: z.number().int(), adding: z.number().int() })
      .nullable(),
    issues: z.array(issueSchema),
  }),
  progress: z
    .object({ appliedThroughLine: z.number().int(), lastLine: z.number().int() })
    .describe('while applying: the last line of the file whose batch is in'),
  created: z.number().int(),
  alreadyPresent: z.number().int(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  appliedAt: z.string().nullable(),
});

function columnsOf(id: ModeId): z.infer<typeof columnSchema>[] {
  const mode = IMPORT_MODES[id];
  const fields = [...new Set<ImportField>([...mode.template, ...mode.required, ...mode.optional])];
  return fields.map((field) => {
    const labels = FIELD_LABELS[field];
    return {
      field,
      label: labels.english,
      accepted: [labels.english, ...labels.french, ...labels.german],
      required: mode.required.includes(field),
    };
  });
}

export function importModes(): z.infer<typeof importModesSchema> {
  const items = MODE_IDS.map((id) => ({
    id,
    title: IMPORT_MODES[id].title,
    header: templateOf(IMPORT_MODES[id]).trim(),
    invitation: IMPORT_MODES[id].invitation,
    columns: columnsOf(id),
  }));
  return { items, total: items.length };
}
