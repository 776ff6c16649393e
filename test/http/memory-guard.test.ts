import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Role } from '../../src/auth/roles';
import { HeapReading, MemoryGuard } from '../../src/http/memory-guard';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';

/*
 * The server runs with a memory budget (a capped old generation); the guard turns new requests
 * away with "retry" while a full collection leaves the heap nearly full of live data, instead
 * of letting V8 end the process for every caller.
 */

const MB = 1024 * 1024;

/** A heap whose reading the test sets, and a clock it moves. */
function fakeHeap(limitMb = 128) {
  const state = { usedBytes: 10 * MB, limitBytes: limitMb * MB, now: 1_000_000 };
  return {
    state,
    read: (): HeapReading => ({ usedBytes: state.usedBytes, limitBytes: state.limitBytes }),
    now: () => state.now,
  };
}

describe('MemoryGuard', () => {
  it('refuses only after a full collection left more than its share of the limit live, and only for holdMs', () => {
    const heap = fakeHeap(100);
    const guard = new MemoryGuard({ share: 0.8, holdMs: 1000, read: heap.read, now: heap.now });

    // 90 MB in use of 100, but no full collection has said how much of it is live: garbage, maybe
    heap.state.usedBytes = 90 * MB;
    expect(guard.shortOfMemory()).toBe(false);

    // a full collection that left 70 MB live (under 80): not short, even when 90 are in use again
    heap.state.usedBytes = 70 * MB;
    guard.fullCollectionEnded();
    heap.state.usedBytes = 90 * MB;
    expect(guard.shortOfMemory()).toBe(false);

    // one that left 85 MB live: short, for the next second
    heap.state.usedBytes = 85 * MB;
    guard.fullCollectionEnded();
    expect(guard.shortOfMemory()).toBe(true);
    heap.state.now += 999;
    expect(guard.shortOfMemory()).toBe(true);
    // past holdMs new work is let in (its allocations bring the next full collection)
    heap.state.now += 1;
    expect(guard.shortOfMemory()).toBe(false);
  });

  it('lets work in as soon as the heap in use falls under the share, whatever the last collection said', () => {
    const heap = fakeHeap(100);
    const guard = new MemoryGuard({ share: 0.8, holdMs: 60_000, read: heap.read, now: heap.now });
    heap.state.usedBytes = 95 * MB;
    guard.fullCollectionEnded();
    expect(guard.shortOfMemory()).toBe(true);
    // a young-generation collection (or requests ending) freed memory: what is in use bounds what is live
    heap.state.usedBytes = 79 * MB;
    expect(guard.shortOfMemory()).toBe(false);
  });

  it('is off with a share of 0', () => {
    const heap = fakeHeap(100);
    const guard = new MemoryGuard({ share: 0, holdMs: 60_000, read: heap.read, now: heap.now });
    heap.state.usedBytes = 100 * MB;
    guard.fullCollectionEnded();
    expect(guard.shortOfMemory()).toBe(false);
  });

  it("hears V8's real full collections", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // any live heap at all is over a share this small: the first full collection makes the guard refuse
    const tiny = new MemoryGuard({ share: 1e-9, holdMs: 60_000 });
    // nothing at all is over the whole limit
    const whole = new MemoryGuard({ share: 1, holdMs: 60_000 });
    tiny.start();
    whole.start();
    try {
      expect(tiny.shortOfMemory()).toBe(false);
      gc();
      // the observer hears of the collection asynchronously
      for (let i = 0; i < 100 && !tiny.shortOfMemory(); i++) await new Promise((ok) => setTimeout(ok, 10));
      expect(tiny.shortOfMemory()).toBe(true);
      expect(whole.shortOfMemory()).toBe(false);
    } finally {
      tiny.stop();
      whole.stop();
    }
  });
});

describe('a server short of memory', () => {
  let api: HttpTestApp;
  const heap = fakeHeap(128);

  beforeAll(async () => {
    api = await startHttpApp((c) => {
      c.memoryGuard = { share: 0.85, holdMs: 60_000, read: heap.read, now: heap.now };
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const accountNames = async () => (await api.db.ds.query<{ name: string }[]>('SELECT name FROM accounts ORDER BY name')).map((r) => r.name);

  it('answers every door 503 BUSY "retry" and runs nothing, keeps /health up, and serves again once memory is free', async () => {
    heap.state.usedBytes = 120 * MB; // of 128: over 85%
    api.app.memoryGuard.fullCollectionEnded();

    const mutation = await api.gql(`mutation { createAccount(input: { name: "Refused Ltd", domain: "refused.example", segment: SMB }) { account { id } } }`);
    expect(mutation.status).toBe(503);
    expect(mutation.headers.get('retry-after')).toBe('1');
    expect(mutation.body.errors).toEqual([
      { message: 'busy: the server is short of memory; retry shortly', extensions: { code: 'BUSY', scope: 'SERVICE' } },
    ]);
    expect(await accountNames()).not.toContain('Refused Ltd');

    const base = api.url.replace(/\/graphql$/, '');
    const key = (await api.newKey(Role.EXECUTIVE)).secret;
    for (const path of ['/export/accounts.csv', '/imports', '/v1/batch']) {
      const res = await fetch(`${base}${path}`, {
        method: path === '/export/accounts.csv' ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(path === '/export/accounts.csv' ? {} : { body: '{"batch":[]}' }),
      });
      expect([path, res.status]).toEqual([path, 503]);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual(['BUSY']);
    }

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);

    // a full collection that left little live: requests run again
    heap.state.usedBytes = 40 * MB;
    api.app.memoryGuard.fullCollectionEnded();
    const again = await api.gql(`mutation { createAccount(input: { name: "Served Ltd", domain: "served.example", segment: SMB }) { account { id } } }`);
    expect(again.status).toBe(200);
    expect(again.body.errors).toBeUndefined();
    expect(await accountNames()).toContain('Served Ltd');
  });
});
