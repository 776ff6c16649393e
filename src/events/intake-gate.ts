/**
 * How much of the service the event intake may take, in all and per source, so that one sender
 * flooding /v1/* slows only itself: requests in progress (each holds up to 500 KB of body and
 * its parsed events: bounded memory), and database connections for the inserts (the rest of the
 * pool stays free for GraphQL and for other sources). Waiting for a connection is first come,
 * first served, up to a deadline.
 */

export interface IntakeLimits {
  /** Requests in progress (from authentication to the answer) in the process. */
  requests: number;
  requestsPerSource: number;
  /** Inserts running at once in the process. */
  connections: number;
  connectionsPerSource: number;
  /** How long an insert may wait for its turn before the request is told to retry (ms). */
  queueMs: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** The limits from the environment (docs/events.md), sized after the pool of `poolSize` connections. */
export function intakeLimitsFromEnv(poolSize: number): IntakeLimits {
  const connections = intFromEnv('EVENTS_DB_CONNECTIONS', Math.max(1, poolSize - 2));
  return {
    requests: intFromEnv('EVENTS_MAX_REQUESTS', 64),
    requestsPerSource: intFromEnv('EVENTS_MAX_REQUESTS_PER_SOURCE', 32),
    connections,
    connectionsPerSource: intFromEnv('EVENTS_DB_CONNECTIONS_PER_SOURCE', Math.max(1, Math.ceil(connections / 2))),
    queueMs: intFromEnv('EVENTS_QUEUE_MS', 5_000),
  };
}

/** A counting semaphore whose waiters give up at a deadline (first come, first served). */
class Semaphore {
  active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(private readonly size: number) {}

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

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

/** Why a request was not let in: its source's share is full (429) or the service's (503). */
export type GateRefusal = 'SOURCE' | 'SERVICE';

export class IntakeGate {
  private requests = 0;
  private readonly requestsBySource = new Map<string, number>();
  private readonly service: Semaphore;
  private readonly sources = new Map<string, Semaphore>();

  constructor(readonly limits: IntakeLimits) {
    this.service = new Semaphore(limits.connections);
  }

  /** Counts a request in (before its body is read); null when there is room, else who is full. Pair with leave(). */
  enterService(): GateRefusal | null {
    if (this.requests >= this.limits.requests) return 'SERVICE';
    this.requests++;
    return null;
  }

  leaveService(): void {
    this.requests--;
  }

  /** Counts a request of `sourceId` in; pair with leaveSource() when it returned null. */
  enterSource(sourceId: string): GateRefusal | null {
    const n = this.requestsBySource.get(sourceId) ?? 0;
    if (n >= this.limits.requestsPerSource) return 'SOURCE';
    this.requestsBySource.set(sourceId, n + 1);
    return null;
  }

  leaveSource(sourceId: string): void {
    const n = (this.requestsBySource.get(sourceId) ?? 1) - 1;
    if (n <= 0) this.requestsBySource.delete(sourceId);
    else this.requestsBySource.set(sourceId, n);
  }

  /** Runs `work` with a connection slot of the source and of the service, or answers who was full at the deadline. */
  async withConnection<T>(sourceId: string, work: () => Promise<T>): Promise<{ done: T } | { refused: GateRefusal }> {
    const deadline = Date.now() + this.limits.queueMs;
    let source = this.sources.get(sourceId);
    if (!source) this.sources.set(sourceId, (source = new Semaphore(this.limits.connectionsPerSource)));
    try {
      if (!(await source.acquire(deadline))) return { refused: 'SOURCE' };
      try {
        if (!(await this.service.acquire(deadline))) return { refused: 'SERVICE' };
        try {
          return { done: await work() };
        } finally {
          this.service.release();
        }
      } finally {
        source.release();
      }
    } finally {
      if (source.idle) this.sources.delete(sourceId);
    }
  }
}
