import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, buildService, call, gone, postmasterPid, ServiceProcess, startService } from './service-process';
import { freePort } from '../helpers/built-service';

/*
 * `npm start` on the embedded PostgreSQL as a newcomer runs it: the built service in a child
 * process on a data folder of its own. A taken port, a second start on the same folder, a start
 * after the API was killed with kill -9 (its PostgreSQL lives on), and a PostgreSQL killed
 * under the running API. The cases run in order on one folder.
 */

jest.setTimeout(60_000);

let build: ReturnType<typeof buildService>;
let dir: string;
let dataDir: string;
const children: ServiceProcess[] = [];
const QUERY = { query: '{ accounts(first: 1) { totalCount } }' };


function listenOn(port: number): Promise<Server> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

function start(port: number, env: Record<string, string> = {}): ServiceProcess {
  const service = startService(build.main, { EMBEDDED_PG_DIR: dataDir, PORT: String(port), DEMO_SIZE: '12', ...env });
  children.push(service);
  return service;
}

/** The demo keys as printed on stderr, by role. */
function printedKeys(service: ServiceProcess): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [, role, secret] of service.stderr().matchAll(/^ {2}([A-Z_]+) +(ra_\S+)$/gm)) keys[role!] = secret!;
  return keys;
}

/** stderr without blank lines, each line trimmed. */
const stderrLines = (service: ServiceProcess) =>
  service
    .stderr()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

beforeAll(() => {
  build = buildService();
  dir = mkdtempSync(join(tmpdir(), 'ra-startup-'));
  chmodSync(dir, 0o755); // the server may run as its own OS user when we are root
  dataDir = join(dir, '.data', 'postgres');
});

afterAll(async () => {
  for (const child of children) await child.kill();
  // a PostgreSQL a case left running (orphaned by a kill -9): stop it, it is ours
  const pid = postmasterPid(dataDir) ?? postmasterPid(`${dataDir}-moved`);
  if (pid && alive(pid)) {
    process.kill(pid, 'SIGINT');
    await gone(pid);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  build?.remove();
});

let port: number;
let first: ServiceProcess;
let keys: Record<string, string>;

it('reports a taken API port in one line, before PostgreSQL starts', async () => {
  const taken = await listenOn(await freePort());
  try {
    const address = taken.address();
    const takenPort = typeof address === 'object' && address ? address.port : 0;
    const service = start(takenPort);
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(stderrLines(service)).toEqual([expect.stringMatching(new RegExp(`port ${takenPort} is already taken by pid ${process.pid}\\b.*set PORT to a free port`))]);
    expect(service.stdout()).not.toContain('embedded PostgreSQL started');
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(false);
  } finally {
    await new Promise((ok) => taken.close(ok));
  }
});

it('loads the demo at the first start and keeps its keys in a file only its owner may read', async () => {
  port = await freePort();
  first = start(port);
  await first.waitFor('the demo keys', () => Object.keys(printedKeys(first)).length === 6);
  keys = printedKeys(first);
  const file = join(dir, '.data', 'demo-keys.json');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect((JSON.parse(readFileSync(file, 'utf8')) as { keys: unknown }).keys).toEqual(keys);
  const answer = await call(port, '/graphql', QUERY, keys.EXECUTIVE);
  expect(answer).toEqual({ status: 200, json: { data: { accounts: { totalCount: 12 } } } });
});

it('refuses a second start on the same data folder, naming the API that holds it', async () => {
  const postgres = postmasterPid(dataDir)!;
  const second = start(await freePort());
  const { code } = await second.exited;
  expect(code).toBe(1);
  expect(stderrLines(second)).toEqual([
    expect.stringMatching(new RegExp(`data folder .* is in use by pid ${first.pid}\\b.*PostgreSQL pid ${postgres} \\(running.*kill ${first.pid}.*EMBEDDED_PG_DIR`)),
  ]);
  // the first is untouched
  expect((await call(port, '/graphql', QUERY, keys.ADMIN)).status).toBe(200);
});

let restarted: ServiceProcess;

it('after kill -9 of the API, stops its orphaned PostgreSQL, starts cleanly and keeps the demo keys', async () => {
  const orphan = postmasterPid(dataDir)!;
  await first.kill();
  expect(alive(orphan)).toBe(true); // what kill -9 leaves behind

  restarted = start(port);
  await restarted.waitFor('the demo keys', () => Object.keys(printedKeys(restarted)).length === 6);
  expect(restarted.logs()).toContainEqual(expect.objectContaining({ pid: orphan, msg: expect.stringMatching(/left running .* stopping it/) }));
  expect(alive(orphan)).toBe(false);
  expect(printedKeys(restarted)).toEqual(keys);
  expect(restarted.stderr()).not.toMatch(/\(new/);
  expect(await call(port, '/graphql', QUERY, keys.EXECUTIVE)).toEqual({ status: 200, json: { data: { accounts: { totalCount: 12 } } } });
});

it('starts the embedded PostgreSQL again when it dies under the running API', async () => {
  const postgres = postmasterPid(dataDir)!;
  process.kill(postgres, 'SIGKILL');
  await restarted.waitFor('the restart', () => restarted.logs().some((l) => l.msg === 'embedded PostgreSQL started again'), 30_000);
  const deadline = Date.now() + 20_000;
  let answer = await call(port, '/graphql', QUERY, keys.EXECUTIVE);
  while (answer.status !== 200 && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 200));
    answer = await call(port, '/graphql', QUERY, keys.EXECUTIVE);
  }
  expect(answer).toEqual({ status: 200, json: { data: { accounts: { totalCount: 12 } } } });
  expect((await call(port, '/health')).status).toBe(200);
  expect(postmasterPid(dataDir)).not.toBe(postgres);
});

it('exits with one clear line when the embedded PostgreSQL cannot be started again', async () => {
  const postgres = postmasterPid(dataDir)!;
  // its folder is gone: every restart fails
  renameSync(dataDir, `${dataDir}-moved`);
  process.kill(postgres, 'SIGKILL');
  const { code } = await restarted.exited;
  renameSync(`${dataDir}-moved`, dataDir);
  expect(code).toBe(1);
  const line = stderrLines(restarted).pop();
  expect(line).toMatch(/embedded PostgreSQL on .* exited \(killed by SIGKILL\) and did not start again after \d+ attempts .*exiting/);
  expect(restarted.logs()).toContainEqual(expect.objectContaining({ level: 60, msg: expect.stringContaining('did not start again') }));
});
