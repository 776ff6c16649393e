import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { buildService, call, ServiceProcess, startService } from './service-process';
import { freePort } from '../helpers/built-service';

/*
 * The built service on a given PostgreSQL (DATABASE_URL), as it is deployed: no demo company
 * or demo key in production, start-up failures as one line that says what to do, and a crash
 * (an unhandled rejection, an uncaught exception) logged with its cause.
 */

jest.setTimeout(60_000);

let build: ReturnType<typeof buildService>;
let db: TestDatabase;
let dir: string;
const children: ServiceProcess[] = [];

beforeAll(async () => {
  build = buildService();
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ra-service-start-'));
  // a fault injected on SIGUSR2 into the running service, as a bug would raise it
  writeFileSync(
    join(dir, 'fault.js'),
    `process.on('SIGUSR2', () => {
       const kind = process.env.FAULT;
       if (kind === 'error') Promise.reject(new Error('injected failure'));
       else if (kind === 'nothing') Promise.reject(undefined);
       else setImmediate(() => { throw new TypeError('injected exception'); });
     });`,
  );
});

afterAll(async () => {
  for (const child of children) await child.kill();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  build?.remove();
});


function start(env: Record<string, string>, preload?: string): ServiceProcess {
  const service = startService(build.main, env, preload ? { preload } : {});
  children.push(service);
  return service;
}

const stderrLines = (service: ServiceProcess) =>
  service
    .stderr()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

it('loads no demo company and prints no demo key with NODE_ENV=production and DATABASE_URL', async () => {
  // a demo key an earlier (buggy) start issued and printed
  const earlier = await issueApiKey(db.ds, { name: 'demo admin', role: Role.ADMIN, createdBy: 'demo' });
  const port = await freePort();
  const service = start({ DATABASE_URL: db.url, NODE_ENV: 'production', PORT: String(port) });
  await service.waitFor('API ready', () => service.stdout().includes('API ready'));
  // under npm start's memory budget, which the memory guard holds new requests to
  expect(service.logs().find((l) => l.msg.startsWith('API ready'))?.oldGenerationLimitMb).toBe(128);
  expect(service.stderr()).not.toMatch(/Demo API keys|ra_/);
  expect(await db.sql(`SELECT count(*)::int AS n FROM accounts`)).toEqual([{ n: 0 }]);
  expect(await db.sql(`SELECT count(*)::int AS n FROM api_keys WHERE created_by = 'demo' AND revoked_at IS NULL`)).toEqual([{ n: 0 }]);
  expect((await call(port, '/graphql', { query: '{ users(first: 1) { totalCount } }' }, earlier.secret)).status).toBe(401);
  service.child.kill('SIGTERM');
  expect((await service.exited).code).toBe(0);
});

it('checks the API port before the database, and says so in one line', async () => {
  const taken: Server = await new Promise((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => ok(server));
  });
  const address = taken.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    // the database would fail too (nothing listens there): the port is what is reported
    const service = start({ DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${await freePort()}/app`, PORT: String(port) });
    expect((await service.exited).code).toBe(1);
    expect(stderrLines(service)).toEqual([expect.stringMatching(new RegExp(`start-up failed: port ${port} is already taken.*set PORT to a free port`))]);
  } finally {
    await new Promise((ok) => taken.close(ok));
  }
});

it('reports a database that cannot be reached in one line, without its password', async () => {
  const dbPort = await freePort();
  const service = start({ DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${dbPort}/app`, PORT: String(await freePort()) });
  expect((await service.exited).code).toBe(1);
  expect(stderrLines(service)).toEqual([`revenue-alignment-api: start-up failed: cannot connect to PostgreSQL at 127.0.0.1:${dbPort}: nothing accepts connections there; start it, or correct DATABASE_URL`]);
  expect(service.stdout() + service.stderr()).not.toContain('s3cret');
});

it('reports a bad setting in one line', async () => {
  const service = start({ DATABASE_URL: db.url, PORT: 'eighty' });
  expect((await service.exited).code).toBe(1);
  expect(stderrLines(service)).toEqual(['revenue-alignment-api: start-up failed: PORT must be a non-negative integer, got "eighty"']);
});

describe.each([
  ['error', 'unhandled promise rejection: Error: injected failure', 'injected failure'],
  ['nothing', 'unhandled promise rejection: undefined (a promise was rejected with no error)', undefined],
  ['exception', 'uncaught exception: TypeError: injected exception', 'injected exception'],
])('a fault at run time (%s)', (fault, message, errMessage) => {
  it('is logged with its cause, and the service exits 1', async () => {
    const service = start({ DATABASE_URL: db.url, PORT: String(await freePort()), FAULT: fault }, join(dir, 'fault.js'));
    await service.waitFor('API ready', () => service.stdout().includes('API ready'));
    service.child.kill('SIGUSR2');
    expect((await service.exited).code).toBe(1);
    const fatal = service.logs().filter((l) => l.level === 60);
    expect(fatal).toEqual([expect.objectContaining({ msg: `${message}; exiting` })]);
    if (errMessage) expect(fatal[0]!.err).toMatchObject({ message: errMessage, stack: expect.stringContaining('fault.js') });
    expect(stderrLines(service)).toEqual([`revenue-alignment-api: ${message}; exiting`]);
  });
});
