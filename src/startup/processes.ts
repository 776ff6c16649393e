import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/*
 * What the operating system says about a process, for start-up messages ("held by pid 123,
 * node dist/src/main.js"). Linux answers from /proc; elsewhere `ps` is asked. Every answer is
 * best effort: undefined when the system does not tell.
 */

/** Whether a process with this pid runs (one of another user counts; a zombie does not). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

/** The state letter of /proc/<pid>/stat (R, S, D, Z, ...), undefined off Linux. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function ps(pid: number, field: 'command' | 'ppid'): string | undefined {
  try {
    const out = execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The arguments a process was started with (program first). */
export function commandLine(pid: number): string[] | undefined {
  try {
    const parts = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (parts.length) return parts;
  } catch {
    // not Linux, or the process is gone
  }
  return ps(pid, 'command')?.split(/\s+/);
}

/** The pid of a process's parent. */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) return ppid;
  } catch {
    // not Linux, or the process is gone
  }
  const ppid = Number(ps(pid, 'ppid'));
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/** "pid 123 (node dist/src/main.js)", shortened to a readable length. */
export function describeProcess(pid: number): string {
  const command = commandLine(pid)?.join(' ');
  if (!command) return `pid ${pid}`;
  return `pid ${pid} (${command.length > 80 ? `${command.slice(0, 77)}...` : command})`;
}

/** Whether a command line is Node's (the API, a CLI of this project, a test runner). */
export function isNodeCommand(command: string[] | undefined): boolean {
  const program = command?.[0]?.split('/').pop() ?? '';
  return /^node(\.exe)?$/i.test(program) || /^node\d/i.test(program);
}

/**
 * The pid of the process listening on a TCP port, when the system tells (Linux: /proc/net/tcp
 * and the sockets of every process this user may inspect).
 */
export function listenerOf(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // state 0A is LISTEN
      if (!local || fields[3] !== '0A') continue;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  if (!inodes.size) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return Number(pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** Resolves once the process is gone, or false after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return true;
}
