import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { createDataSource } from '../src/db/data-source';
import { importStream } from '../src/imports/engine';

/**
 * The importing process of the bench's import scenario: imports one touchpoint CSV through the
 * engine into DATABASE_URL and prints one JSON line: the counts, the wall time and the peak RSS
 * of this process (after a quarter of the rows and at the end: flat memory means about equal).
 *   node dist/bench/import-child.js <file.csv> <rows in the file>
 */

async function main(): Promise<void> {
  const [file, rowsText] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!file || !url) throw new Error('usage: DATABASE_URL=... node dist/bench/import-child.js <file.csv> <rows>');
  const quarter = Math.floor(Number(rowsText ?? '0') / 4);
  const ds = createDataSource({ url, poolSize: 1 });
  await ds.initialize();
  let quarterPeakRssBytes: number | null = null;
  let firstError: string | null = null;
  try {
    const started = performance.now();
    const counts = await importStream(
      ds,
      createReadStream(file),
      {
        kind: 'touchpoints', format: 'csv', actor: 'bench', actorRole: 'ADMIN', jobId: 'bench-import',
        onProgress: (processed) => {
          if (quarterPeakRssBytes === null && processed >= quarter) quarterPeakRssBytes = process.resourceUsage().maxRSS * 1024;
        },
      },
      (error) => {
        firstError ??= `line ${error.line} ${error.column ?? ''}: ${error.reason}`;
      },
    );
    const ms = performance.now() - started;
    process.stdout.write(`${JSON.stringify({ counts, ms, quarterPeakRssBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024, firstError })}\n`);
  } finally {
    await ds.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
