import { z } from 'zod';
import { BUILT_IN_PLUGINS } from '../../plugins/built-in.ts';

// The `sources:` entries: one strict schema per plugin, each beside its plugin, told apart by
// `type`. A misspelt key under a source is an error that names it (sources.1.clientSecret…).

type ConfigSchemas<T extends readonly { configSchema: unknown }[]> = {
  -readonly [K in keyof T]: T[K]['configSchema'];
};

// The map keeps the list's order and element types; TypeScript cannot see that through map().
const schemas = BUILT_IN_PLUGINS.map((p) => p.configSchema) as unknown as ConfigSchemas<
  typeof BUILT_IN_PLUGINS
>;

export const sourceSchema = z.discriminatedUnion('type', schemas, {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `type must be one of ${BUILT_IN_PLUGINS.map((p) => p.type).join(', ')}`
      : undefined,
});

export type AnySourceConfig = z.infer<typeof sourceSchema>;
