import type { PoolClient, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs `work` on a connection of the pool, outside TypeORM: the job machinery's statements
 * (polls, heartbeats, chunks) run in the background of every process and are none of a
 * request's statements (tests that count a request's statements through TypeORM never see them).
 */
export async function withClient<T>(ds: DataSource, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    return await work(client);
  } finally {
    await runner.release();
  }
}

/** One statement on a connection of the pool, outside TypeORM; its rows. */
export function rawQuery<R extends QueryResultRow>(ds: DataSource, text: string, values: unknown[] = []): Promise<R[]> {
  return withClient(ds, async (client) => (await client.query<R>(text, values)).rows);
}
