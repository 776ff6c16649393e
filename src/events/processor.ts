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
 * (docs/events-processing.md). Claims the pending events oldest first, a chunk at a time, with
 * FOR UPDATE SKIP LOCKED so that replicas share the work, and processes each chunk with a few
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

  private async drain(): Promise<number> {
    let total = 0;
    // each chunk starts after the last one (the pending index's entries of the events just
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
    if (Date.now() - this.caughtUpAt >= CATCH_UP_EVERY_MS && !this.stopped) {
      this.caughtUpAt = Date.now();
      await this.catchUp();
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

  private chunk(claim: Claim) {
    return this.ds.transaction('READ COMMITTED', (tx) => processChunk(tx, claim, this.settings.lookbackDays));
  }
}
