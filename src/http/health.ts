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
    return { status: 'unavailable', database: 'down', error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
