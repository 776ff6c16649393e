import type { DataSource } from 'typeorm';

export interface Health {
  status: 'ok' | 'unavailable';
  database: 'up' | 'down';
  error?: string;
}

/** Whether the database answers a trivial query within two seconds. */
export async function checkHealth(ds: DataSource, timeoutMs = 2000): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ds.query('SELECT 1'),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', database: 'up' };
  } catch (error) {
    // the driver's message names the database's address: keep it for the logs, not the probe
    const timedOut = error instanceof Error && error.message.startsWith('no answer within');
    return { status: 'unavailable', database: 'down', error: timedOut ? error.message : 'the database cannot be reached' };
  } finally {
    clearTimeout(timer);
  }
}
