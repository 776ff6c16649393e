import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { connectAndMigrate } from '../db/data-source';
import { EmbeddedServer, startEmbeddedPostgres } from '../db/embedded-postgres';
import { writeDemoCsv } from './demo-csv';
import { parseDemoSize } from './demo-plan';
import { loadDemoData, LoadDemoOptions } from './load-demo';

const USAGE = `Loads the demo data set into an empty database (migrating it first).

  node dist/src/seed/seed.cli.js [--size S|M|L|<accounts>] [--seed <n>] [--anchor <ISO time>] [--embedded] [--steps]
  node dist/src/seed/seed.cli.js --csv <dir> [--size ...] [--seed ...] [--anchor ...]

  DATABASE_URL   the database to fill (required unless --embedded)
  --embedded     load into a throw-away embedded PostgreSQL instead (timing runs)
  --steps        also print the time each step of the load took
  --csv <dir>    write the data set as CSV files in the import format instead, one per kind
                 (users.csv ... feedback.csv), for npm run import -- --bundle <dir>; no database`;

interface CliArgs {
  options: LoadDemoOptions;
  embedded: boolean;
  csv?: string;
}

function parseArgs(argv: string[]): CliArgs {
  const options: LoadDemoOptions = {};
  let embedded = false;
  let csv: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n\n${USAGE}`);
      return next;
    };
    if (flag === '--size') options.size = parseDemoSize(value());
    else if (flag === '--seed') {
      const seed = Number(value());
      if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a non-negative integer');
      options.seed = seed;
    } else if (flag === '--anchor') options.anchor = value();
    else if (flag === '--embedded') embedded = true;
    else if (flag === '--csv') csv = value();
    else if (flag === '--steps') options.onStep = (step, ms) => console.log(`  ${step.padEnd(40)} ${String(ms).padStart(7)} ms`);
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n\n${USAGE}`);
  }
  return { options, embedded, ...(csv === undefined ? {} : { csv }) };
}

async function main(): Promise<void> {
  const { options, embedded, csv } = parseArgs(process.argv.slice(2));
  if (csv !== undefined) {
    const started = performance.now();
    const written = await writeDemoCsv(csv, options);
    let total = 0;
    for (const [kind, count] of Object.entries(written)) {
      total += count;
      console.log(`${`${kind}.csv`.padEnd(22)} ${String(count).padStart(10)}`);
    }
    console.log(`${'total'.padEnd(22)} ${String(total).padStart(10)} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  let server: EmbeddedServer | undefined;
  let scratch: string | undefined;
  let url = process.env.DATABASE_URL;
  if (embedded) {
    scratch = mkdtempSync(join(tmpdir(), 'ra-seed-pg-'));
    chmodSync(scratch, 0o755); // the server may run as its own OS user when we are root
    server = await startEmbeddedPostgres({ dataDir: join(scratch, 'data'), persistent: false });
    url = server.url;
  }
  if (!url) throw new Error(`DATABASE_URL is not set\n\n${USAGE}`);
  try {
    const { ds } = await connectAndMigrate({ url, poolSize: 1, applicationName: 'seed-cli' });
    await ds.destroy();
    const client = new Client({ connectionString: url, application_name: 'seed-cli' });
    await client.connect();
    try {
      const result = await loadDemoData(client, options);
      let total = 0;
      for (const [table, count] of Object.entries(result.rows)) {
        total += count;
        console.log(`${table.padEnd(22)} ${String(count).padStart(10)}`);
      }
      const perSecond = Math.round(total / (result.ms / 1000));
      console.log(`${'total'.padEnd(22)} ${String(total).padStart(10)} rows in ${(result.ms / 1000).toFixed(1)} s (${perSecond} rows/s)`);
      console.log(`${'attribution cache'.padEnd(22)} built ${(result.cacheMs / 1000).toFixed(1)} s after the rows were committed`);
    } finally {
      await client.end();
    }
  } finally {
    if (server) await server.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
