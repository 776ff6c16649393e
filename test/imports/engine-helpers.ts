import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { ImportCounts, ImportOptions, ImportRowError, importStream } from '../../src/imports/engine';

/** Imports `text` as a file and returns the counts and every row error. */
export async function importText(
  ds: DataSource,
  text: string,
  options: Partial<ImportOptions> & Pick<ImportOptions, 'kind'>,
): Promise<{ counts: ImportCounts; errors: ImportRowError[] }> {
  const errors: ImportRowError[] = [];
  const counts = await importStream(
    ds,
    Readable.from([Buffer.from(text, 'utf8')]),
    { format: 'csv', actor: 'test', actorRole: 'ADMIN', ...options },
    (e) => {
      errors.push(e);
    },
  );
  return { counts, errors };
}

export const counts = (c: Partial<ImportCounts>): ImportCounts => ({ processed: 0, created: 0, updated: 0, unchanged: 0, failed: 0, ...c });
