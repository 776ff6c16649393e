import { Pool } from 'pg';

export interface Health {
  status: 'ok' | 'unavailable';
  database: 'up' | 'down';
  error?: string;
}

/**
 * Whether the database answers, asked over a connection of its own: a pool busy with reports
 * (or exhausted by a flood) is not a database that is down, so a load balancer reading
 * /health keeps a busy replica. One connection, opened on first use and kept; every probe is
 * bounded by `timeoutMs` on the client side, so a frozen database is reported, not waited for.
 */
export class HealthProbe {
  private readonly pool: Pool;

  constructor(url: string, private readonly timeoutMs = 2000) {
    this.pool = new Pool({
      connectionString: url,
      max: 1,
      application_name: 'revenue-alignment-api-health',
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      idleTimeoutMillis: 0,
      allowExitOnIdle: true,
    });
    // a connection that dies (idle, or between a probe's statements) is dropped by the pool and
    // the next probe opens another: its error is the probe's answer, never an unhandled event
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  async check(): Promise<Health> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.pool.query('SELECT 1'),
        new Promise((_, fail) => {
          timer = setTimeout(() => fail(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      return { status: 'ok', database: 'up' };
    } catch (error) {
      // the driver's message names the database's address: keep it for the logs, not the probe
      const timedOut = error instanceof Error && /no answer within|timeout/i.test(error.message);
      return { status: 'unavailable', database: 'down', error: timedOut ? `no answer within ${this.timeoutMs} ms` : 'the database cannot be reached' };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.pool.end().catch(() => undefined);
  }
}
