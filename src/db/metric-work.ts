import { BusyError } from '../graphql/errors';
import { DbContext, managerOf } from './with-transaction';

/** A counting semaphore whose waiters give up at a deadline (first come, first served). */
class Semaphore {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(private readonly size: number) {}

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  /** Resolves with true once a slot is held, or false at `deadline` (epoch ms) without one. */
  acquire(deadline: number): Promise<boolean> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise((done) => {
      const waiter = { grant: () => undefined as void };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        done(false);
      }, Math.max(0, deadline - Date.now()));
      waiter.grant = () => {
        clearTimeout(timer);
        done(true);
      };
      this.waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant(); // the slot passes on: `active` stays
    else this.active--;
  }
}

export interface MetricWorkLimits {
  /** Metric statements running at once in the process. */
  connections: number;
  perCaller: number;
  perRequest: number;
  /** How long a statement may wait for its turn (ms). */
  queueMs: number;
}

/**
 * Caps the database connections metric work may hold: per request, per caller and in all.
 * Metric statements run on the shared pool; the connections they may not take stay free for
 * interactive reads, writes and authentication, so one caller flooding the heaviest reports
 * slows only itself. A statement that cannot get its turn within `queueMs` fails the request
 * with BUSY (429 for the caller's own share, 503 when the service is full): retry.
 */
export class MetricWorkGate {
  private readonly service: Semaphore;
  private readonly callers = new Map<string, Semaphore>();

  constructor(private readonly limits: MetricWorkLimits) {
    this.service = new Semaphore(Math.max(1, limits.connections));
  }

  /** The gate of one request of `callerId`. */
  ticket(callerId: string): MetricWorkTicket {
    return new MetricWorkTicket(this, callerId, new Semaphore(Math.max(1, this.limits.perRequest)));
  }

  /** @internal Runs `work` with a slot of the request, its caller and the service. */
  async run<T>(callerId: string, request: Semaphore, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.limits.queueMs;
    if (!(await request.acquire(deadline))) throw busy('CALLER', this.limits);
    let caller = this.callers.get(callerId);
    if (!caller) this.callers.set(callerId, (caller = new Semaphore(Math.max(1, this.limits.perCaller))));
    try {
      if (!(await caller.acquire(deadline))) throw busy('CALLER', this.limits);
      try {
        if (!(await this.service.acquire(deadline))) throw busy('SERVICE', this.limits);
        try {
          return await work();
        } finally {
          this.service.release();
        }
      } finally {
        caller.release();
      }
    } finally {
      request.release();
      if (caller.idle) this.callers.delete(callerId);
    }
  }
}

function busy(scope: 'CALLER' | 'SERVICE', limits: MetricWorkLimits): BusyError {
  return scope === 'CALLER'
    ? new BusyError(`busy: your reports already hold ${limits.perCaller} database connections; retry when they finish`, 'CALLER')
    : new BusyError('busy: every database connection for reports is in use; retry shortly', 'SERVICE');
}

/** One request's share of the gate. */
export class MetricWorkTicket {
  constructor(
    private readonly gate: MetricWorkGate,
    private readonly callerId: string,
    private readonly request: Semaphore,
  ) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.gate.run(this.callerId, this.request, work);
  }
}

/** A context that may carry its request's ticket (HTTP requests do; jobs and tests may not). */
export interface MetricWorkContext extends DbContext {
  metricWork?: MetricWorkTicket;
}

/**
 * Runs one statement of a metric: through the request's ticket when it has one (a mutation's
 * open transaction already holds its connection and is not gated).
 */
export function metricQuery<T = unknown>(ctx: MetricWorkContext, sql: string, params: unknown[]): Promise<T> {
  const run = () => managerOf(ctx).query(sql, params) as Promise<T>;
  return ctx.metricWork && !ctx.tx ? ctx.metricWork.run(run) : run();
}
