import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { writeDemoCsv } from '../src/seed/demo-csv';
import type { DemoSizeOption } from '../src/seed/load-demo';
import { serverHeapOptions } from './server-process';

/**
 * The import scenario: the run's data set's touchpoints written as an import CSV by the demo
 * generator, imported through the engine by a process of its own (its peak RSS is the import's)
 * into the bench database, which holds the leads and campaigns the file refers to.
 */

export interface ImportFigures {
  rows: number;
  fileBytes: number;
  ms: number;
  rowsPerSecond: number;
  created: number;
  failed: number;
  firstError: string | null;
  /** Peak RSS (maxrss) of the importing process at the end, and once a quarter of the rows was in: flat memory, about equal. */
  peakRssBytes: number;
  quarterPeakRssBytes: number | null;
}

interface ChildResult {
  counts: { processed: number; created: number; updated: number; unchanged: number; failed: number };
  ms: number;
  quarterPeakRssBytes: number | null;
  peakRssBytes: number;
  firstError: string | null;
}

const run = promisify(execFile);

/** The external ids of the generator's CSV on the demo's leads and campaigns (their ids, prefixed l and c). */
export async function giveExternalIds(client: Client): Promise<void> {
  await client.query(`UPDATE leads SET external_id = 'l' || id WHERE external_id IS NULL`);
  await client.query(`UPDATE campaigns SET external_id = 'c' || id WHERE external_id IS NULL`);
}

/**
 * Gives the demo's leads and campaigns the external ids the generator's CSV uses (their ids,
 * prefixed l and c), empties touchpoints (the file holds them all), writes the file into
 * `work` and imports it. Run it last: it changes the database the other scenarios read.
 */
export async function importScenario(url: string, size: DemoSizeOption, work: string, log: (line: string) => void): Promise<ImportFigures> {
  const client = new Client({ connectionString: url, application_name: 'bench-import' });
  await client.connect();
  try {
    await giveExternalIds(client);
    await client.query('TRUNCATE touchpoints');
    await client.query('VACUUM (ANALYZE) leads, campaigns, touchpoints');
  } finally {
    await client.end();
  }
  const started = performance.now();
  const written = await writeDemoCsv(work, { size }, ['touchpoints']);
  const file = join(work, 'touchpoints.csv');
  const rows = written.touchpoints ?? 0;
  const fileBytes = statSync(file).size;
  log(`import: wrote ${rows} touchpoints (${(fileBytes / 1024 ** 2).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s; importing them`);
  const script = resolve(__dirname, 'import-child.js');
  // under the server's memory budget: the engine is what the server runs for POST /imports, and
  // under a cap V8 collects before it grows, so what the peak still gains after a quarter is kept
  const { stdout } = await run(process.execPath, [...serverHeapOptions(), script, file, String(rows)], {
    env: { ...process.env, DATABASE_URL: url },
    maxBuffer: 1024 * 1024,
    timeout: 30 * 60_000,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult;
  const figures: ImportFigures = {
    rows,
    fileBytes,
    ms: Math.round(result.ms),
    rowsPerSecond: Math.round(result.counts.processed / (result.ms / 1000)),
    created: result.counts.created,
    failed: result.counts.failed,
    firstError: result.firstError,
    peakRssBytes: result.peakRssBytes,
    quarterPeakRssBytes: result.quarterPeakRssBytes,
  };
  log(`  ${figures.created} created, ${figures.failed} failed in ${(figures.ms / 1000).toFixed(1)} s: ${figures.rowsPerSecond} rows/s, ` +
    `peak RSS ${(figures.peakRssBytes / 1024 ** 2).toFixed(0)} MB (${figures.quarterPeakRssBytes === null ? '—' : (figures.quarterPeakRssBytes / 1024 ** 2).toFixed(0)} MB after a quarter)`);
  return figures;
}
