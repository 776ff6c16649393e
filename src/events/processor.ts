import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { Claim, processChunk } from './processing-chunk';
import { ProcessingSettings, processingSettingsFromEnv } from './processing-settings';

/** How often at most a run also stitches again what the last minutes identified (see catchUp). */
const CATCH_UP_EVERY_MS = 30_000;
/** A wake-up waits this long, so that the batches of a burst are processed together. */
const WAKE_DELAY_MS = 20;

/**
 * Turns accepted web events (tracked_events) into touchpoints, leads and identities
 * (docs/events.md). Claims the pending events oldest first, a chunk at a time, with
 * FOR UPDATE SKIP LOCKED so that replicas (and the EVENT_PROCESS_WORKERS loops of one processor,
 * each on a connection of its own: the chunk's work is one core of PostgreSQL's) share the work, and processes each chunk with a few
 * set-based statements in one transaction that also marks its events processed: a crash loses
 * nothing (the chunk stays pending) and processing an event again makes no second touchpoint.
 *
 * wake() is what the intake calls after storing events; start() also polls every EVENT_PROCESS_MS.
 * One run at a time per processor; a wake-up during a run makes another run after it.
 */
export class EventProcessor {
  private readonly settings: ProcessingSettings;
  private timer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private caughtUpAt = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    options: Partial<ProcessingSettings> = {},
  ) {
    this.settings = { ...processingSettingsFromEnv(), ...options };
  }

  /** Processes what is pending now, and polls every EVENT_PROCESS_MS from then on. */
  start(): void {
    this.stopped = false;
    if (!this.timer && this.settings.pollMs > 0) {
      this.timer = setInterval(() => this.runLogged(), this.settings.pollMs);
      this.timer.unref();
    }
    this.runLogged();
  }

  /** Events were stored: process them soon (a run in progress is followed by another). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.runLogged();
    }, WAKE_DELAY_MS);
    this.wakeTimer.unref();
  }

  /** Stops polling and waits for the run in progress (its chunk commits, or rolls back and stays pending). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.timer = null;
    this.wakeTimer = null;
    await this.running?.catch(() => undefined);
  }

  /**
   * Processes every pending event, chunk after chunk, and returns how many it processed (a
   * failure rejects: the failing chunk stays pending). Only one run at a time: a call during a run
   * returns that run.
   */
  runOnce(): Promise<number> {
    if (this.running) return this.running;
    const run = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
    this.running = run;
    return run;
  }

  private runLogged(): void {
    this.runOnce().catch((error: unknown) => this.logger.error({ err: error }, 'event processing failed; the events stay pending and are retried'));
  }

  /** Every pending event, by `workers` loops at once (each claims its own chunks, SKIP LOCKED), then the catch-up. */
  private async drain(): Promise<number> {
    const loops = await Promise.allSettled(Array.from({ length: this.settings.workers }, () => this.drainLoop()));
    const failed = loops.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    if (Date.now() - this.caughtUpAt >= CATCH_UP_EVERY_MS && !this.stopped) {
      this.caughtUpAt = Date.now();
      await this.catchUp();
    }
    return loops.reduce((n, l) => n + (l.status === 'fulfilled' ? l.value : 0), 0);
  }

  /**
   * The loops claim one after the other: one claim statement, run while another is half way
   * through locking its rows, would skip the rows locked so far and take the next ones, splitting
   * a small backlog between two chunks processed side by side, each blind to the other's
   * uncommitted events (a form fill would miss the page view of its session two rows before).
   * Claimed one at a time, a backlog smaller than a chunk is one chunk. (Replicas claim side by
   * side; the catch-up stitches what they split.)
   */
  private claiming: Promise<unknown> = Promise.resolve();
  private readonly claimGate = <T>(claim: () => Promise<T>): Promise<T> => {
    const turn = this.claiming.then(claim, claim);
    this.claiming = turn.catch(() => undefined);
    return turn;
  };

  private async drainLoop(): Promise<number> {
    let total = 0;
    // each chunk starts after the loop's last one (the pending index's entries of the events just
    // processed are not walked again); a run starts from the oldest, so an event whose id was
    // taken before but committed after a chunk passed it is taken by the next run
    let after = '0';
    for (;;) {
      this.again = false;
      const started = Date.now();
      const result = await this.chunk({ pending: this.settings.chunkSize, after });
      after = result.lastId ?? after;
      total += result.events;
      if (result.events > 0) {
        this.logger.debug({ events: result.events, stitched: result.stitched, touchpoints: result.touchpoints, ms: Date.now() - started }, 'events processed');
      }
      if (result.events < this.settings.chunkSize || this.stopped) break;
    }
    return total;
  }

  /**
   * Two replicas can process an identification and earlier events of the same person at the same
   * time, each unable to see the other's uncommitted rows: those events would stay anonymous. So
   * a run (at most every 30 s) stitches again the persons linked in the last catchUpSeconds.
   */
  private async catchUp(): Promise<void> {
    const result = await this.chunk({ catchUpSeconds: this.settings.catchUpSeconds });
    if (result.stitched > 0) this.logger.info({ stitched: result.stitched }, 'events stitched to leads by the catch-up');
  }

  /** One chunk in one transaction; a deadlock with a concurrent chunk (both rolled back or one) is tried again. */
  private async chunk(claim: Claim) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ds.transaction('READ COMMITTED', (tx) => processChunk(tx, claim, this.settings.lookbackDays, this.claimGate));
      } catch (error) {
        const code = (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ?? (error as { code?: unknown }).code;
        if (code !== '40P01' || attempt >= 3) throw error;
        this.logger.warn({ attempt }, 'event processing: a chunk met a concurrent one in a deadlock; trying it again');
      }
    }
  }
}
