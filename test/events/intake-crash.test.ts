import { issueEventSource } from '../../src/events/event-sources';
import { freePort, RunningService, startBuiltService } from '../helpers/built-service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { basic } from './intake-support';

/*
 * kill -9 of the built service while senders stream batches at it, then a restart and the
 * senders' retries (what at-least-once senders do). Every batch answered 200 must be stored
 * whole, no batch may be stored in part (one INSERT per request), and after the retries every
 * event is stored exactly once.
 */

jest.setTimeout(240_000);

const EVENTS_PER_BATCH = 50;

function batchOf(n: number): string {
  const batch = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
    type: i % 10 === 0 ? 'identify' : 'page',
    messageId: `c${n}-${i}`,
    anonymousId: `anon-${n % 7}`,
    ...(i % 10 === 0 ? { userId: `user-${n % 7}`, traits: { email: `user${n % 7}@crash.example` } } : { name: `/page/${i}` }),
    timestamp: new Date().toISOString(),
    context: { page: { url: `https://www.example.com/page/${i}?utm_source=crash` } },
  }));
  return JSON.stringify({ batch, sentAt: new Date().toISOString() });
}

async function sendOnce(port: number, writeKey: string, n: number): Promise<number | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(writeKey), connection: 'close' },
      body: batchOf(n),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json()) as { success?: boolean };
    return res.status === 200 && body.success === true ? 200 : res.status;
  } catch {
    return null; // the connection died with the service
  }
}

describe('POST /v1/batch across kill -9', () => {
  let db: TestDatabase;
  let service: RunningService | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await db.drop();
  });

  it('keeps every batch it answered 200, none in part, and each event once after the retries', async () => {
    const { eventSource, writeKey } = await issueEventSource(db.ds, { name: 'crash', createdBy: 'test' });
    const port = await freePort();
    const env = { DATABASE_URL: db.url, SEED_DEMO: 'false', PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0' };
    service = await startBuiltService(env);

    const attempted: number[] = [];
    const acknowledged = new Set<number>();
    let next = 0;
    let crashed = false;
    const sender = async () => {
      while (!crashed) {
        const n = next++;
        attempted.push(n);
        if ((await sendOnce(port, writeKey, n)) === 200) acknowledged.add(n);
      }
    };
    const senders = Array.from({ length: 6 }, () => sender());
    while (acknowledged.size < 30) await new Promise((ok) => setTimeout(ok, 5));
    service.child.kill('SIGKILL');
    crashed = true;
    await service.exited;
    await Promise.all(senders);

    const storedBy = async () =>
      new Map(
        (
          await db.sql<{ batch: string; n: number }>(
            `SELECT split_part(message_id, '-', 1) AS batch, count(*)::int AS n FROM tracked_events WHERE source_id = $1 GROUP BY 1`,
            [eventSource.id],
          )
        ).map((r) => [Number(r.batch.slice(1)), r.n]),
      );
    const afterCrash = await storedBy();
    for (const n of acknowledged) expect([n, afterCrash.get(n)]).toEqual([n, EVENTS_PER_BATCH]);
    // whole or not at all, answered or not
    for (const n of attempted) expect([n, [0, EVENTS_PER_BATCH].includes(afterCrash.get(n) ?? 0)]).toEqual([n, true]);

    // the senders retry whatever was not answered 200 (and a few that were: retries may repeat)
    service = await startBuiltService(env);
    for (const n of attempted) expect([n, await sendOnce(port, writeKey, n)]).toEqual([n, 200]);
    const afterRetries = await storedBy();
    for (const n of attempted) expect([n, afterRetries.get(n)]).toEqual([n, EVENTS_PER_BATCH]);
    expect(afterRetries.size).toBe(attempted.length);

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });
});
