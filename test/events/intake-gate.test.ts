import { request } from 'node:http';
import { IntakeGate } from '../../src/events/intake-gate';
import { basic, IntakeApp, IntakeResponse, startIntakeApp } from './intake-support';

/*
 * One sender must not starve the others: each source has a share of the requests in progress
 * and of the database connections, and the intake as a whole a bound (memory, pool).
 */

/** Sends until the answer has `status` (the held request may take a moment to be let in), at most 50 times. */
async function untilStatus(status: number, send: () => Promise<IntakeResponse>): Promise<IntakeResponse> {
  let res = await send();
  for (let attempt = 0; attempt < 50 && res.status !== status; attempt++) {
    await new Promise((ok) => setTimeout(ok, 50));
    res = await send();
  }
  return res;
}

/**
 * Starts a request whose body never finishes: it holds its place in the gate until destroyed.
 * Resolves once the request had time to be let in and was not answered (an answer fails it).
 */
function holdOpen(base: string, writeKey: string): Promise<{ release(): void }> {
  return new Promise((ok, fail) => {
    const req = request(`${base}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic(writeKey), 'content-type': 'application/json', 'content-length': '1000' },
    });
    let answered: number | null = null;
    req.on('response', (res) => {
      answered = res.statusCode ?? 0;
      res.resume();
    });
    req.on('error', () => undefined);
    req.write('{"batch": [', (error) => {
      if (error) fail(error);
      else
        setTimeout(() => {
          if (answered === null) ok({ release: () => req.destroy() });
          else fail(new Error(`the held request was answered ${answered}`));
        }, 300);
    });
  });
}

describe('shares of the intake over HTTP', () => {
  let api: IntakeApp;
  beforeAll(async () => {
    api = await startIntakeApp({ EVENTS_MAX_REQUESTS_PER_SOURCE: '1', EVENTS_MAX_REQUESTS: '2' });
  });
  afterAll(async () => {
    await api.close();
  });

  it("answers a source over its share 429 (Retry-After) while another source's events are stored; the service's bound 503", async () => {
    const event = { anonymousId: 'a', event: 'Share' };
    const other = await api.newSource('other');
    const third = await api.newSource('third');
    // each key looked up once (then cached), so that a held request is let in at once
    for (const key of [api.writeKey, other.writeKey, third.writeKey]) expect((await api.sendAs(key, '/v1/track', event)).status).toBe(200);
    const held = await holdOpen(api.base, api.writeKey);
    try {
      const refused = await untilStatus(429, () => api.sendAs(api.writeKey, '/v1/track', event));
      expect([refused.status, refused.body.code, refused.headers.get('retry-after')]).toEqual([429, 'RATE_LIMITED', '1']);
      expect((await api.sendAs(other.writeKey, '/v1/track', event)).status).toBe(200);
      // two requests in progress fill the intake (EVENTS_MAX_REQUESTS=2): a third source is told to retry
      const second = await holdOpen(api.base, other.writeKey);
      try {
        const full = await untilStatus(503, () => api.sendAs(third.writeKey, '/v1/track', event));
        expect([full.status, full.body.code, full.headers.get('retry-after')]).toEqual([503, 'BUSY', '1']);
      } finally {
        second.release();
      }
    } finally {
      held.release();
    }
    // the places are given back when the requests end
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await api.sendAs(api.writeKey, '/v1/track', event)).status;
      if (status !== 200) await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(status).toBe(200);
    // both places of the intake are free again: two requests held at once are let in
    const again = [await holdOpen(api.base, api.writeKey), await holdOpen(api.base, other.writeKey)];
    for (const h of again) h.release();
  });
});

describe('IntakeGate', () => {
  it('gives each source at most its connections, first come first served, while other sources run', async () => {
    const gate = new IntakeGate({ requests: 10, requestsPerSource: 10, connections: 3, connectionsPerSource: 2, queueMs: 200 });
    const order: string[] = [];
    let open!: () => void;
    const blocked = new Promise<void>((ok) => (open = ok));
    const hold = (tag: string) => gate.withConnection('a', async () => {
      order.push(`${tag} start`);
      await blocked;
      order.push(`${tag} end`);
      return tag;
    });
    const a1 = hold('a1');
    const a2 = hold('a2');
    // source a holds its 2 connections: its third insert waits, and gives up at the deadline
    const a3 = gate.withConnection('a', async () => 'a3');
    // source b still has the third connection of the service
    expect(await gate.withConnection('b', async () => 'b1')).toEqual({ done: 'b1' });
    expect(await a3).toEqual({ refused: 'SOURCE' });
    open();
    expect([await a1, await a2]).toEqual([{ done: 'a1' }, { done: 'a2' }]);
    expect(order).toEqual(['a1 start', 'a2 start', 'a1 end', 'a2 end']);
    // all given back
    expect(await gate.withConnection('a', async () => 'again')).toEqual({ done: 'again' });
  });

  it('counts requests in progress per source and in all', () => {
    const gate = new IntakeGate({ requests: 3, requestsPerSource: 2, connections: 1, connectionsPerSource: 1, queueMs: 10 });
    expect([gate.enterSource('a'), gate.enterSource('a'), gate.enterSource('a'), gate.enterSource('b')]).toEqual([null, null, 'SOURCE', null]);
    gate.leaveSource('a');
    expect(gate.enterSource('a')).toBeNull();
    expect([gate.enterService(), gate.enterService(), gate.enterService(), gate.enterService()]).toEqual([null, null, null, 'SERVICE']);
    gate.leaveService();
    expect(gate.enterService()).toBeNull();
  });
});
