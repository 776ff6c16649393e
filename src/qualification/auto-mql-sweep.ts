import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { applyDuePolicies } from './auto-mql.service';
import { refreshStoredScores } from './stored-scores';

/** How often the server looks for policies whose effectiveFrom has come (POLICY_CHECK_MS). */
export const POLICY_CHECK_MS = Number(process.env.POLICY_CHECK_MS ?? 30_000);

/**
 * A policy approved ahead of its effectiveFrom comes into force later, with no write to trigger
 * it: this timer applies such policies once their moment has passed (an approval that puts a
 * policy in force at once applies it in its own transaction, through the database trigger).
 * Then it refreshes the stored lead scores (stored-scores.ts) that writes, the passing of time
 * or a new policy left stale.
 */
export class PolicySweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    private readonly everyMs = POLICY_CHECK_MS,
  ) {}

  start(): void {
    if (this.timer || !(this.everyMs > 0)) return;
    this.timer = setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref();
    void this.runOnce();
  }

  /** Applies what is due now (one run at a time). */
  runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = applyDuePolicies(this.ds)
      .then((applied) => {
        for (const a of applied) this.logger.info({ agreementId: a.agreementId, qualifiedLeads: a.qualifiedLeads }, 'qualification policy came into force');
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'applying the qualification policies that came into force failed; retrying later'))
      .then(() => refreshStoredScores(this.ds, { stopped: () => this.stopping }))
      .then((refresh) => {
        if (refresh.refreshed > 0) this.logger.debug({ refreshed: refresh.refreshed, busy: refresh.busy }, 'stored lead scores refreshed');
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'refreshing the stored lead scores failed; retrying later'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
