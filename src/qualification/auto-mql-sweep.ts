import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { applyDuePolicies } from './auto-mql.service';

/** How often the server looks for policies whose effectiveFrom has come (POLICY_CHECK_MS). */
export const POLICY_CHECK_MS = Number(process.env.POLICY_CHECK_MS ?? 30_000);

/**
 * A policy approved ahead of its effectiveFrom comes into force later, with no write to trigger
 * it: this timer applies such policies once their moment has passed (an approval that puts a
 * policy in force at once applies it in its own transaction, through the database trigger).
 */
export class PolicySweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

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
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
