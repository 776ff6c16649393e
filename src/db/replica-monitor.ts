import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** A WAL position ('16/B374D848') as a number of bytes. */
export function lsnToBigInt(lsn: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn);
  if (!match) throw new Error(`not a WAL position: "${lsn}"`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

export interface ReplicaMonitorOptions {
  /** How often the replica is checked (REPLICA_CHECK_MS). */
  checkMs: number;
  /** Reads go to the primary while the replica is further behind than this (REPLICA_MAX_LAG_MS). */
  maxLagMs: number;
  /** A check that takes longer than this counts as the replica being away. */
  checkTimeoutMs?: number;
}

/** What the monitor knows of the replica. */
export type ReplicaState =
  /** A streaming standby: every write committed on the primary before `visibleBefore` (epoch ms) is visible on it. */
  | { kind: 'STREAMING'; visibleBefore: number }
  /** A server that is not in recovery (another database kept in step by other means): its lag is unknown. */
  | { kind: 'INDEPENDENT' }
  /** It did not answer its last check (or a read on it failed for want of it). */
  | { kind: 'AWAY' }
  /** Not checked yet. */
  | { kind: 'UNKNOWN' };

/**
 * Where a read may go, from what the replica has replayed (DATABASE_READ_URL).
 *
 * Every check reads the primary's WAL position P, noting the time t just before asking, then the
 * replica's replayed position R. A sample (t, P) with P <= R proves that every transaction that
 * committed on the primary before t is visible on the replica: `visibleBefore` is the latest such
 * t. Hence, exactly:
 * - read-your-writes: a caller whose last write finished at w reads the replica only once
 *   w < visibleBefore (its write has been replayed there), the primary until then;
 * - lag: the replica is `now - visibleBefore` behind at most; past maxLagMs every read goes to the
 *   primary until it catches up;
 * - a replica that does not answer a check, or whose connection fails under a read, is AWAY:
 *   reads go to the primary until a check answers again.
 * A replica that is not a streaming standby (pg_is_in_recovery() false) cannot say what it has
 * replayed: it is INDEPENDENT and the fixed read-your-writes window (READ_YOUR_WRITES_MS) applies.
 */
export class ReplicaMonitor {
  private state: ReplicaState = { kind: 'UNKNOWN' };
  /** Primary positions sampled and not yet seen replayed, oldest first (at most one per check in flight). */
  private samples: { at: number; lsn: bigint }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly primary: DataSource,
    private readonly replica: DataSource,
    private readonly options: ReplicaMonitorOptions,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.check(), Math.max(10, this.options.checkMs));
    this.timer.unref();
    void this.check();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
  }

  current(): ReplicaState {
    return this.state;
  }

  /**
   * Whether a read may go to the replica, for a caller whose last write finished at `lastWriteAt`
   * (epoch ms; undefined: none remembered), `now` being the time of the read. `windowMs` is the
   * fixed read-your-writes window used when the replica cannot say what it has replayed.
   */
  mayRead(lastWriteAt: number | undefined, windowMs: number, now = Date.now()): boolean {
    const state = this.state;
    switch (state.kind) {
      case 'STREAMING':
        if (now - state.visibleBefore > this.options.maxLagMs) return false;
        return lastWriteAt === undefined || lastWriteAt < state.visibleBefore;
      case 'INDEPENDENT':
        return lastWriteAt === undefined || now - lastWriteAt >= windowMs;
      default:
        return false;
    }
  }

  /** A read on the replica failed because it could not be reached: reads go to the primary until a check answers. */
  markAway(): void {
    if (this.state.kind !== 'AWAY') this.logger?.warn('the read replica did not answer: reads go to the primary until it does');
    this.state = { kind: 'AWAY' };
    this.samples = [];
  }

  /** One check (at most one runs at a time); exposed for tests. */
  check(): Promise<void> {
    if (this.checking) return this.checking;
    this.checking = this.checkOnce().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const timeout = this.options.checkTimeoutMs ?? Math.max(1000, this.options.checkMs * 4);
    let at: number;
    let primaryLsn: bigint;
    try {
      at = Date.now();
      const [row] = (await this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`)) as { lsn: string }[];
      primaryLsn = lsnToBigInt(row!.lsn);
    } catch {
      // the primary is the primary's problem (requests report it); the replica's state stands
      return;
    }
    let answer: { recovery: boolean; replayed: string | null };
    try {
      answer = await withTimeout(
        this.replica.query(`SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replayed`) as Promise<
          { recovery: boolean; replayed: string | null }[]
        >,
        timeout,
      ).then((rows) => rows[0]!);
    } catch {
      if (!this.stopped) this.markAway();
      return;
    }
    if (!answer.recovery || answer.replayed === null) {
      if (this.state.kind !== 'INDEPENDENT') this.logger?.info('the read replica is not a streaming standby: read-your-writes uses READ_YOUR_WRITES_MS');
      this.state = { kind: 'INDEPENDENT' };
      this.samples = [];
      return;
    }
    const replayed = lsnToBigInt(answer.replayed);
    this.samples.push({ at, lsn: primaryLsn });
    let visibleBefore = this.state.kind === 'STREAMING' ? this.state.visibleBefore : Number.NEGATIVE_INFINITY;
    while (this.samples.length && this.samples[0]!.lsn <= replayed) visibleBefore = Math.max(visibleBefore, this.samples.shift()!.at);
    // bounded: a replica that stays behind keeps at most the last 1,000 samples (the oldest proves the least)
    if (this.samples.length > 1000) this.samples.splice(0, this.samples.length - 1000);
    if (this.state.kind === 'AWAY') this.logger?.info('the read replica answers again');
    this.state = { kind: 'STREAMING', visibleBefore };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        ok(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        fail(error);
      },
    );
  });
}
