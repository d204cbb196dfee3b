import { z } from 'zod';
import { ValidationError } from './errors.ts';

/** Parses input from outside with a zod schema; every problem names its field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : 'body',
      message:
        issue.code === 'unrecognized_keys'
          ? `unknown field(s): ${issue.keys.join(', ')}`
          : issue.message,
    })),
  );
}

/** A page number of a list: past a million pages the offset would overflow the database's integers. */
export const pageNumber = z.coerce
  .number()
  .int()
  .min(1)
  .max(1_000_000, 'must be at most 1000000')
  .default(1);
