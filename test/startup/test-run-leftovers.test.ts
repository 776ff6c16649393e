import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { alive, ROOT, transpile } from './service-process';

/*
 * A test run leaves nothing behind: the global setup and teardown (test/helpers) run as jest
 * runs them, in a Node process of their own with a temporary folder of their own (TMPDIR), on
 * the embedded PostgreSQL. Afterwards the folder is as it was and the server is gone. Folders
 * that runs killed before their teardown left are removed by the next run's setup.
 */

jest.setTimeout(60_000);

let build: string;
let tmp: string;

const RUNNER = `
const setup = require('./test/helpers/global-setup.js');
const teardown = require('./test/helpers/global-teardown.js').default;
(async () => {
  const fs = require('fs');
  const path = require('path');
  const tmp = require('os').tmpdir();
  await setup.default();
  const during = fs.readdirSync(tmp);
  const scratch = during.find((name) => name.startsWith('ra-test-pg-') && fs.existsSync(path.join(tmp, name, 'data')));
  const pid = Number(fs.readFileSync(path.join(tmp, scratch, 'data', 'postmaster.pid'), 'utf8').split('\\n')[0]);
  await teardown();
  process.stdout.write(JSON.stringify({ pid, during }) + '\\n');
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

beforeAll(() => {
  build = mkdtempSync(join(tmpdir(), 'ra-leftovers-build-'));
  writeFileSync(join(build, 'run.js'), RUNNER);
  transpile(['test/helpers/global-setup.ts', 'test/helpers/global-teardown.ts'], build);
});

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ra-leftovers-tmp-'));
  chmodSync(tmp, 0o755); // the server may run as its own OS user when we are root
});

afterEach(() => tmp && rmSync(tmp, { recursive: true, force: true }));
afterAll(() => build && rmSync(build, { recursive: true, force: true }));

async function runSetupAndTeardown(): Promise<{ pid: number; during: string[] }> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(DATABASE_URL|TEST_)/.test(name)) env[name] = value;
  }
  const { stdout } = await promisify(execFile)(process.execPath, [join(build, 'run.js')], {
    cwd: ROOT,
    env: { ...env, TMPDIR: tmp, NODE_PATH: join(ROOT, 'node_modules') },
    timeout: 50_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { pid: number; during: string[] };
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((ok) => child.on('exit', ok));
  return child.pid!;
}

it('leaves no folder and no server behind', async () => {
  const { pid, during } = await runSetupAndTeardown();
  expect(during).toEqual([expect.stringMatching(/^ra-test-pg-/)]);
  expect(readdirSync(tmp)).toEqual([]);
  expect(alive(pid)).toBe(false);
});

it("removes the folders of runs that were killed, and keeps those of runs that still run", async () => {
  const killed = join(tmp, 'ra-test-pg-killed');
  mkdirSync(join(killed, 'data'), { recursive: true });
  writeFileSync(join(killed, 'owner.json'), JSON.stringify({ pid: await deadPid() }));
  writeFileSync(join(killed, 'data', 'PG_VERSION'), '18\n');
  const running = join(tmp, 'ra-test-pg-running');
  mkdirSync(running);
  writeFileSync(join(running, 'owner.json'), JSON.stringify({ pid: process.pid }));
  // an empty folder as the setup before owner files left one at each run, an hour ago
  const legacy = join(tmp, 'ra-test-pg-legacy');
  mkdirSync(legacy);
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(legacy, hourAgo, hourAgo);

  await runSetupAndTeardown();
  expect(readdirSync(tmp)).toEqual(['ra-test-pg-running']);
});
