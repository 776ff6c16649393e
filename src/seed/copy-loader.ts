import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type PgClient = Client | PoolClient;

/** Rows are joined into chunks of about this many characters before they are written. */
const CHUNK_CHARS = 1 << 16;

function* chunksOf(rows: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += row;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Streams `rows` (COPY text format lines, each ending in a newline) into `table` with COPY.
 * Rows are pulled from the iterable only as fast as the server takes them (stream
 * backpressure), so a lazy generator keeps memory flat. Returns the rows the server stored.
 */
export async function copyRows(client: PgClient, table: string, columns: readonly string[], rows: Iterable<string>): Promise<number> {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  }
  const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunksOf(rows), { objectMode: false }), copy);
  return copy.rowCount;
}
