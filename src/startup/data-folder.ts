import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commandLine, describeProcess, isAlive, isNodeCommand, parentPid, waitForExit } from './processes';
import { StartupError } from './startup-error';

/*
 * Who holds an embedded PostgreSQL data folder. PostgreSQL writes `postmaster.pid` into the
 * folder while it runs (pid, folder, start time, port, ...). The server is a child of the
 * process that started it (the API, a CLI); when that process is killed with SIGKILL the server
 * lives on, orphaned, holding the folder and its port.
 */

export interface PostmasterPid {
  pid: number;
  port: number | undefined;
}

/** The first lines of `postmaster.pid`, when the file is there. */
export function readPostmasterPid(dataDir: string): PostmasterPid | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number.isInteger(port) && port > 0 ? port : undefined };
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

export type FolderHolder =
  /** Nothing runs on the folder (a postmaster.pid left behind, if any, is stale). */
  | { kind: 'free'; stalePid?: number }
  /** PostgreSQL runs on it, started by a process that still runs. */
  | { kind: 'held'; postgresPid: number; holderPid: number; port: number | undefined }
  /** PostgreSQL runs on it, and the process that started it is gone. */
  | { kind: 'orphan'; postgresPid: number; port: number | undefined }
  /** The pid in postmaster.pid is alive, but is not a PostgreSQL of this folder (a reused pid). */
  | { kind: 'reused-pid'; pid: number };

/** Who holds the data folder right now. */
export function folderHolder(dataDir: string): FolderHolder {
  const lock = readPostmasterPid(dataDir);
  if (!lock) return { kind: 'free' };
  if (!isAlive(lock.pid)) return { kind: 'free', stalePid: lock.pid };
  const command = commandLine(lock.pid);
  if (command) {
    const program = command[0]?.split('/').pop() ?? '';
    const folder = command[command.indexOf('-D') + 1];
    const isPostgres = /^postgres/.test(program) || /^postmaster/.test(program);
    if (!isPostgres || (command.includes('-D') && folder !== undefined && !samePath(folder, dataDir))) {
      return { kind: 'reused-pid', pid: lock.pid };
    }
  }
  const parent = parentPid(lock.pid);
  // an orphan's parent is init or a "subreaper" (systemd --user, tini): not a Node process. An
  // API that is pid 1 itself (node as a container's entry point) still holds its server.
  if (parent !== undefined && parent > 0 && isAlive(parent) && (parent === process.pid || isNodeCommand(commandLine(parent)))) {
    return { kind: 'held', postgresPid: lock.pid, holderPid: parent, port: lock.port };
  }
  if (parent === undefined) {
    // the system does not say who started it: do not take it from anyone
    return { kind: 'held', postgresPid: lock.pid, holderPid: lock.pid, port: lock.port };
  }
  return { kind: 'orphan', postgresPid: lock.pid, port: lock.port };
}

/** The one line that says a folder is in use by a live process, and what to do. */
export function heldMessage(dataDir: string, holder: Extract<FolderHolder, { kind: 'held' }>): string {
  const postgres = `PostgreSQL pid ${holder.postgresPid} (running${holder.port ? `, port ${holder.port}` : ''})`;
  if (holder.holderPid === holder.postgresPid) {
    return (
      `the data folder ${dataDir} is in use by ${postgres}, and this system does not tell which process started it: ` +
      `stop the service that uses it, or set EMBEDDED_PG_DIR to another folder`
    );
  }
  return (
    `the data folder ${dataDir} is in use by ${describeProcess(holder.holderPid)}, which runs ${postgres} on it: ` +
    `stop that process first (kill ${holder.holderPid}), or set EMBEDDED_PG_DIR to another folder`
  );
}

/**
 * Makes the folder free for a new PostgreSQL: refuses (StartupError) when a live process holds
 * it; stops an orphaned server of ours (a fast shutdown: its committed data is kept); removes a
 * postmaster.pid whose pid now belongs to another program. `notice` is told what was done.
 */
export async function claimDataFolder(dataDir: string, notice: (message: string, fields: Record<string, unknown>) => void): Promise<void> {
  const holder = folderHolder(dataDir);
  switch (holder.kind) {
    case 'free':
      return;
    case 'held':
      throw new StartupError(heldMessage(dataDir, holder));
    case 'reused-pid':
      notice('postmaster.pid names a pid that is now another program: removed the stale file', { pid: holder.pid, dataDir });
      rmSync(join(dataDir, 'postmaster.pid'), { force: true });
      return;
    case 'orphan': {
      notice('an embedded PostgreSQL was left running on the data folder by a process that is gone: stopping it', {
        pid: holder.postgresPid,
        port: holder.port,
        dataDir,
      });
      await stopOrphan(dataDir, holder.postgresPid);
      return;
    }
  }
}

async function signal(pid: number, name: NodeJS.Signals, dataDir: string): Promise<void> {
  try {
    process.kill(pid, name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return;
    throw new StartupError(
      `the data folder ${dataDir} is held by PostgreSQL pid ${pid}, left running by a process that is gone, ` +
        `and this user may not stop it (${code}): stop it (kill ${pid}), then start again`,
    );
  }
}

/** SIGINT (fast shutdown), then SIGQUIT (immediate shutdown; recovery on the next start). */
async function stopOrphan(dataDir: string, pid: number): Promise<void> {
  await signal(pid, 'SIGINT', dataDir);
  if (await waitForExit(pid, 20_000)) return;
  await signal(pid, 'SIGQUIT', dataDir);
  if (await waitForExit(pid, 10_000)) return;
  throw new StartupError(
    `PostgreSQL pid ${pid}, left running on the data folder ${dataDir}, did not stop within 30 s: stop it (kill -9 ${pid}), then start again`,
  );
}

/** Whether `dataDir` holds an initialised PostgreSQL cluster. */
export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}
