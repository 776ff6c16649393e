import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDataFolder, folderHolder } from '../../src/startup/data-folder';
import { StartupError } from '../../src/startup/startup-error';
import { alive, gone } from './service-process';

/*
 * Who holds an embedded data folder, from its postmaster.pid: nothing (no file, or a dead pid),
 * a live process (refused), an orphaned server (stopped), or a pid now used by another program
 * (the stale file is removed). A stand-in "postgres" (node under that name) plays the server.
 */

let dir: string;
let dataDir: string;
let postgres: string;
const started: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ra-data-folder-'));
  dataDir = join(dir, 'postgres');
  mkdirSync(dataDir);
  postgres = join(dir, 'postgres-bin');
  symlinkSync(process.execPath, postgres);
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writePostmasterPid(pid: number, port = 54321): void {
  writeFileSync(join(dataDir, 'postmaster.pid'), `${pid}\n${dataDir}\n1700000000\n${port}\n/tmp\nlocalhost\n  1 2\nready   \n`);
}

const ARGS = (folder: string) => ['-e', 'setInterval(() => undefined, 1000)', '--', '-D', folder, '-p', '54321'];

/** A stand-in server on `folder` whose parent has exited: an orphan, as after kill -9 of its API. */
async function orphanOn(folder: string): Promise<number> {
  const parent = spawn(
    process.execPath,
    ['-e', `const c = require('child_process').spawn(process.argv[1], process.argv.slice(2), { detached: true, stdio: 'ignore' }); c.unref(); console.log(c.pid);`, postgres, ...ARGS(folder)],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  parent.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((ok) => parent.on('exit', ok));
  return Number(out.trim());
}

const notices: string[] = [];
const notice = (message: string) => void notices.push(message);

it('is free without a postmaster.pid, or when its pid is gone', async () => {
  expect(folderHolder(dataDir)).toEqual({ kind: 'free' });
  const ended = spawn(process.execPath, ['-e', '']);
  await new Promise((ok) => ended.on('exit', ok));
  writePostmasterPid(ended.pid!);
  expect(folderHolder(dataDir)).toEqual({ kind: 'free', stalePid: ended.pid });
  await claimDataFolder(dataDir, notice);
});

it('removes a postmaster.pid whose pid is now another program', async () => {
  writePostmasterPid(process.pid); // this test process is no PostgreSQL
  expect(folderHolder(dataDir)).toEqual({ kind: 'reused-pid', pid: process.pid });
  await claimDataFolder(dataDir, notice);
  expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  expect(notices.pop()).toMatch(/another program/);
});

it('removes it too when the pid is a server of another folder', async () => {
  const other = await orphanOn(join(dir, 'another-folder'));
  try {
    writePostmasterPid(other);
    expect(folderHolder(dataDir)).toEqual({ kind: 'reused-pid', pid: other });
  } finally {
    process.kill(other, 'SIGKILL');
    await gone(other);
  }
});

it('refuses a folder whose server a live process started, naming both', async () => {
  const server = spawn(postgres, ARGS(dataDir), { stdio: 'ignore' });
  started.push(server);
  writePostmasterPid(server.pid!);
  expect(folderHolder(dataDir)).toEqual({ kind: 'held', postgresPid: server.pid, holderPid: process.pid, port: 54321 });
  const refused = claimDataFolder(dataDir, notice);
  await expect(refused).rejects.toBeInstanceOf(StartupError);
  await expect(refused).rejects.toThrow(new RegExp(`in use by pid ${process.pid} .*PostgreSQL pid ${server.pid} \\(running, port 54321\\).*kill ${process.pid}`));
  expect(alive(server.pid!)).toBe(true);
  server.kill('SIGKILL');
  await gone(server.pid!);
});

it('stops an orphaned server, then the folder is free', async () => {
  const orphan = await orphanOn(dataDir);
  writePostmasterPid(orphan);
  expect(folderHolder(dataDir)).toEqual({ kind: 'orphan', postgresPid: orphan, port: 54321 });
  await claimDataFolder(dataDir, notice);
  expect(alive(orphan)).toBe(false);
  expect(notices.pop()).toMatch(/left running .* stopping it/);
});
