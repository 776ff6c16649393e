import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { freePort, RunningService, startBuiltService } from '../helpers/built-service';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/*
 * kill -9 in the middle of a write loop with Idempotency-Keys, then a restart and a retry of
 * every key. Before, a key whose request was in flight stayed PENDING and every retry got 409
 * for 24 hours, though nothing was stored: the client could never finish that write. The key
 * is now claimed inside the mutation's own transaction, so the crash frees it, and each write
 * ends up stored exactly once.
 */

jest.setTimeout(240_000);

const CREATE = `mutation ($d: String!) { createAccount(input: { name: "Crash", domain: $d, segment: SMB }) { account { domain } } }`;

interface Answer {
  status: number;
  code?: unknown;
  domain?: string;
}

async function createOnce(port: number, secret: string, key: string, domain: string): Promise<Answer | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, 'idempotency-key': key, connection: 'close' },
      body: JSON.stringify({ query: CREATE, variables: { d: domain } }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json()) as { data?: { createAccount?: { account: { domain: string } } }; errors?: { extensions?: { code?: unknown } }[] };
    return { status: res.status, code: body.errors?.[0]?.extensions?.code, domain: body.data?.createAccount?.account.domain };
  } catch {
    return null; // the connection died with the service
  }
}

describe('Idempotency-Key across kill -9', () => {
  let db: TestDatabase;
  let service: RunningService | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await db.drop();
  });

  it('lets every key be retried to completion after a crash, each write stored exactly once', async () => {
    const { secret } = await issueApiKey(db.ds, { name: 'crash', role: Role.ADMIN, createdBy: 'test' });
    const port = await freePort();
    const env = {
      DATABASE_URL: db.url,
      SEED_DEMO: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0',
      IDEMPOTENCY_RESPONSE_GRACE_SECONDS: '2',
    };
    service = await startBuiltService(env);

    // 8 clients writing back to back, each write with its own key
    const attempted: string[] = [];
    let next = 0;
    let acknowledged = 0;
    let crashed = false;
    const worker = async () => {
      while (!crashed) {
        const n = next++;
        attempted.push(`k${n}`);
        const answer = await createOnce(port, secret, `k${n}`, `crash-${n}.test`);
        if (answer?.status === 200 && answer.domain === `crash-${n}.test`) acknowledged++;
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    while (acknowledged < 40) await new Promise((ok) => setTimeout(ok, 5));
    service.child.kill('SIGKILL');
    crashed = true;
    await service.exited;
    await Promise.all(workers);

    service = await startBuiltService(env);
    let replayed = 0;
    let appliedWithoutResponse = 0;
    for (const key of attempted) {
      const n = key.slice(1);
      let answer: Answer | null = null;
      for (let attempt = 0; attempt < 40; attempt++) {
        answer = await createOnce(port, secret, key, `crash-${n}.test`);
        // only "in progress" may be retried: a write whose response was on its way gets its final word after 2 s
        if (!(answer?.status === 409 && answer.code === 'CONFLICT')) break;
        await new Promise((ok) => setTimeout(ok, 250));
      }
      const final = answer?.status === 200 ? 'stored' : answer?.status === 409 && answer.code === 'ALREADY_APPLIED' ? 'applied' : 'other';
      expect({ key, final, answer }).toEqual({ key, final: final === 'other' ? 'stored' : final, answer });
      if (final === 'applied') appliedWithoutResponse++;
      if (final === 'stored' && answer?.domain === undefined) replayed++;
    }
    expect(replayed).toBe(0); // every 200 carries its account, first run or replay

    const counts = await db.sql<{ domain: string; n: number }>(
      `SELECT domain, count(*)::int AS n FROM accounts WHERE domain LIKE 'crash-%' GROUP BY domain`,
    );
    const stored = new Map(counts.map((row) => [row.domain, row.n]));
    for (const key of attempted) expect([key, stored.get(`crash-${key.slice(1)}.test`)]).toEqual([key, 1]);
    expect(stored.size).toBe(attempted.length);
    // nothing is left claimed without an answer once the retries are done, but for the writes whose
    // response the crash took (told ALREADY_APPLIED above)
    const [pending] = await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_keys WHERE status = 'PENDING'`);
    expect(pending!.n).toBe(appliedWithoutResponse);

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });
});
