import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/*
 * The service as the production build makes it (tsc -p tsconfig.build.json, transpiled file by
 * file without the type check: a second or two), made once per test run into a folder of its
 * own, for tests that start the real service as a child process (kill -9, shutdown). The first
 * test file that asks builds it; the others wait for it. The run's global teardown deletes the
 * folder (builtServiceDir).
 */

export const ROOT = resolve(__dirname, '../..');

/** Transpiles `entries` (paths under the repository) and what they import into `out`. */
export function transpile(entries: string[], out: string): void {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  const options = { ...parsed!.options, sourceMap: false, declaration: false };
  const pending = entries.map((entry) => join(ROOT, entry));
  const done = new Set<string>();
  while (pending.length) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const base = resolve(dirname(file), spec!);
      const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      // a module that is not there fails when it is required, as in the real build
      if (found) pending.push(found);
    }
    const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: file });
    const target = join(out, relative(ROOT, file).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  if (!existsSync(join(out, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  // the metric functions' SQL files, which the migrations read (npm run build copies them to dist/sql)
  if (!existsSync(join(out, 'sql'))) symlinkSync(join(ROOT, 'sql'), join(out, 'sql'), 'dir');
}


/** The folder of this run's build: named after the run's template database, so runs never share one. */
export function builtServiceDir(): string {
  const run = process.env.TEST_TEMPLATE_DATABASE ?? `pid${process.pid}`;
  return join(tmpdir(), `ra-build-${run}`);
}

/** Path of the built src/main.js, building it first if no test file of the run has. */
export async function builtMain(): Promise<string> {
  const dir = builtServiceDir();
  const done = join(dir, '.built');
  const main = join(dir, 'src/main.js');
  let owner = false;
  try {
    mkdirSync(dir); // atomic: exactly one test file of the run builds
    owner = true;
  } catch {
    // another test file builds (or built) it
  }
  if (owner) {
    transpile(['src/main.ts'], dir);
    writeFileSync(done, '');
  }
  const deadline = Date.now() + 170_000;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error('the build of another test file did not finish');
    await new Promise((ok) => setTimeout(ok, 200));
  }
  return main;
}

/** A TCP port that is free right now, for a service to listen on. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => ok(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningService {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  logs(): string;
  exited: Promise<number | null>;
}

/** Starts the built service with `env` (on top of this process's) and waits for "API ready". */
export async function startBuiltService(env: Record<string, string>): Promise<RunningService> {
  const main = await builtMain();
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const deadline = Date.now() + 60_000;
  while (!logs.includes('API ready') && Date.now() < deadline && child.exitCode === null) await new Promise((ok) => setTimeout(ok, 100));
  if (!logs.includes('API ready')) {
    child.kill('SIGKILL');
    throw new Error(`the service did not start:\n${logs}`);
  }
  return { child, logs: () => logs, exited };
}
