import { type ParserOptions, type SerializerOptions, types } from '@electric-sql/pglite';

// PGlite turns bytea into PostgreSQL's hex text (`\x…`) and back in JavaScript, a byte at a time
// through an array of two-character strings: storing one 1-MiB chunk of an uploaded file took
// 500-800 ms, most of an upload's time on the embedded database. Node's hex codec does the same
// work in native code.

function serializeBytea(value: unknown): string {
  if (!(value instanceof Uint8Array))
    throw new TypeError(`a bytea parameter takes a Uint8Array, not ${typeof value}`);
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

function parseBytea(text: string): Buffer {
  // Its own memory, not a slice of Node's shared pool: the row is copied to the daemon's thread,
  // and a copy takes the whole memory a view is on.
  const bytes = Buffer.allocUnsafeSlow((text.length - 2) / 2);
  bytes.write(text.slice(2), 'hex');
  return bytes;
}

/** bytea both ways through Node's native hex codec; the form PGlite's own handlers read and write. */
export const byteaSerializers: SerializerOptions = { [types.BYTEA]: serializeBytea };
export const byteaParsers: ParserOptions = { [types.BYTEA]: parseBytea };
