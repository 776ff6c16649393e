import { countRows } from '../helpers/core-fixtures';
import { gzip, IntakeApp, startIntakeApp, storedEvents } from './intake-support';

/*
 * POST /v1/*: Segment's HTTP tracking API on the real server and database. The payloads of the
 * first tests are the examples of Segment's HTTP API documentation, call by call.
 */

let api: IntakeApp;
beforeAll(async () => {
  api = await startIntakeApp();
});
afterAll(async () => {
  await api.close();
});

let serial = 0;
const mid = (tag: string) => `${tag}-${process.pid}-${++serial}`;

/** A fresh source per test, so each test counts only its own rows. */
async function source() {
  return api.newSource(`source ${++serial}`);
}

describe("Segment's documented examples", () => {
  it('stores identify, track, page, screen, group and alias as sent, with the columns the processing reads', async () => {
    const { sourceId, writeKey } = await source();
    const calls: [string, Record<string, unknown>][] = [
      ['/v1/identify', {
        userId: '019mr8mf4r',
        traits: { email: 'pgibbons@example.com', name: 'Peter Gibbons', industry: 'Technology' },
        context: { ip: '24.5.68.47' },
        timestamp: '2012-12-02T00:30:08.276Z',
      }],
      ['/v1/track', {
        userId: '019mr8mf4r',
        event: 'Item Purchased',
        properties: { name: 'Leap to Conclusions Mat', revenue: 14.99 },
        context: { ip: '24.5.68.47' },
        timestamp: '2012-12-02T00:30:12.984Z',
      }],
      ['/v1/page', { userId: '019mr8mf4r', name: 'Tracking HTTP API', timestamp: '2012-12-02T00:31:29.738Z' }],
      ['/v1/screen', { userId: '019mr8mf4r', name: 'Tracking HTTP API', timestamp: '2012-12-02T00:31:29.738Z' }],
      ['/v1/group', {
        userId: '019mr8mf4r',
        groupId: '8e9df332ac',
        traits: { name: 'Initech', industry: 'Technology', employees: 329, plan: 'enterprise', 'total billed': 830 },
      }],
      ['/v1/alias', { previousId: '39239-239239-239239-23923', userId: '019mr8mf4r', timestamp: '2012-12-02T00:30:08.276Z' }],
    ];
    for (const [path, body] of calls) {
      const res = await api.sendAs(writeKey, path, body);
      expect([path, res.status, res.body]).toEqual([path, 200, { success: true }]);
    }
    const rows = await storedEvents(api.db, sourceId);
    expect(rows.map((r) => [r.type, r.event, r.user_id, r.anonymous_id, r.previous_id, r.group_id])).toEqual([
      ['identify', null, '019mr8mf4r', null, null, null],
      ['track', 'Item Purchased', '019mr8mf4r', null, null, null],
      ['page', 'Tracking HTTP API', '019mr8mf4r', null, null, null],
      ['screen', 'Tracking HTTP API', '019mr8mf4r', null, null, null],
      ['group', null, '019mr8mf4r', null, null, '8e9df332ac'],
      ['alias', null, '019mr8mf4r', null, '39239-239239-239239-23923', null],
    ]);
    // no sentAt: the event's own timestamp; none at all (the group example): the time it was received
    expect(rows.map((r) => r.occurred_at)).toEqual([
      '2012-12-02T00:30:08.276Z', '2012-12-02T00:30:12.984Z', '2012-12-02T00:31:29.738Z', '2012-12-02T00:31:29.738Z', rows[4]!.received_at,
      '2012-12-02T00:30:08.276Z',
    ]);
    // the payload is the event as sent
    expect(rows[1]!.payload).toEqual(calls[1]![1]);
    expect(rows[4]!.payload).toEqual(calls[4]![1]);
    // Segment makes a messageId when the sender gave none
    for (const r of rows) expect(r.message_id).toMatch(/^api-[0-9a-f-]{36}$/);
  });

  it('stores the documented batch, its top-level context given to every event', async () => {
    const { sourceId, writeKey } = await source();
    const batch = {
      batch: [
        { type: 'identify', userId: '019mr8mf4r', traits: { email: 'jake@yahoo.com', name: 'Jake Peterson', age: 26 }, timestamp: '2012-12-02T00:30:12.984Z' },
        { type: 'track', userId: '019mr8mf4r', event: 'Song Played', properties: { name: 'Fallin for You', artist: 'Dierks Bentley' }, timestamp: '2012-12-02T00:30:12.984Z' },
        { type: 'identify', userId: '971mj8mk7p', traits: { email: 'cindy@gmail.com', name: 'Cindy Gonzalez', age: 23 }, timestamp: '2012-12-02T00:30:14.984Z' },
        { type: 'track', userId: '971mj8mk7p', event: 'Song Played', properties: { name: 'Get Right', artist: 'Jennifer Lopez' }, timestamp: '2012-12-02T00:30:14.984Z' },
      ],
      context: { device: { type: 'phone', name: 'Apple iPhone 6' } },
    };
    const res = await api.sendAs(writeKey, '/v1/batch', batch);
    expect([res.status, res.body]).toEqual([200, { success: true }]);
    const rows = await storedEvents(api.db, sourceId);
    expect(rows.map((r) => [r.type, r.user_id, r.event, r.occurred_at])).toEqual([
      ['identify', '019mr8mf4r', null, '2012-12-02T00:30:12.984Z'],
      ['track', '019mr8mf4r', 'Song Played', '2012-12-02T00:30:12.984Z'],
      ['identify', '971mj8mk7p', null, '2012-12-02T00:30:14.984Z'],
      ['track', '971mj8mk7p', 'Song Played', '2012-12-02T00:30:14.984Z'],
    ]);
    for (const r of rows) expect(r.payload.context).toEqual({ device: { type: 'phone', name: 'Apple iPhone 6' } });
    expect(api.wakes).toContain(4);
  });

  it('keeps the context an event has of its own over the batch one, key by key', async () => {
    const { sourceId, writeKey } = await source();
    await api.sendAs(writeKey, '/v1/batch', {
      batch: [{ type: 'page', anonymousId: 'a1', context: { ip: '10.0.0.1', locale: 'fr-FR' } }],
      context: { ip: '24.5.68.47', device: { type: 'phone' } },
    });
    const [row] = await storedEvents(api.db, sourceId);
    expect(row!.payload.context).toEqual({ ip: '10.0.0.1', locale: 'fr-FR', device: { type: 'phone' } });
  });
});

describe('clock skew (Segment: timestamp = receivedAt - (sentAt - timestamp))', () => {
  it("corrects the sender's clock with sentAt, per event or per batch; takes originalTimestamp as RudderStack sends it", async () => {
    const { sourceId, writeKey } = await source();
    // the sender's clock is 10 minutes fast: its events happened 10 minutes before it sent them, whatever its clock says
    const res = await api.sendAs(writeKey, '/v1/batch', {
      sentAt: '2030-01-01T00:10:00.000Z',
      batch: [
        { type: 'track', anonymousId: 'a', event: 'Batch sentAt', timestamp: '2030-01-01T00:00:00.000Z', messageId: mid('skew') },
        { type: 'track', anonymousId: 'a', event: 'Own sentAt', timestamp: '2030-01-01T00:00:00.000Z', sentAt: '2030-01-01T00:00:30.000Z', messageId: mid('skew') },
        { type: 'track', anonymousId: 'a', event: 'RudderStack', originalTimestamp: '2030-01-01T00:09:00.000Z', messageId: mid('skew') },
      ],
    });
    expect(res.status).toBe(200);
    const rows = await storedEvents(api.db, sourceId);
    const received = Date.parse(rows[0]!.received_at);
    expect(rows.map((r) => [r.event, Date.parse(r.occurred_at)])).toEqual([
      ['Batch sentAt', received - 10 * 60_000],
      ['Own sentAt', received - 30_000],
      ['RudderStack', received - 60_000],
    ]);
  });

  it('takes a time without an offset as UTC', async () => {
    const { sourceId, writeKey } = await source();
    await api.sendAs(writeKey, '/v1/track', { anonymousId: 'a', event: 'Local', timestamp: '2024-03-01T12:00:00' });
    const [row] = await storedEvents(api.db, sourceId);
    expect(row!.occurred_at).toBe('2024-03-01T12:00:00.000Z');
  });
});

describe('a batch with invalid events', () => {
  it('stores the valid ones, answers 200 and lists the rejected ones by index, field and reason', async () => {
    const { sourceId, writeKey } = await source();
    const batch = [
      { type: 'track', userId: 'u1', event: 'Signed Up', messageId: mid('ok') },
      { type: 'purchase', userId: 'u1' },
      { type: 'page', name: 'Home' },
      { type: 'track', userId: 'u1' },
      { type: 'alias', userId: 'u1' },
      { type: 'group', userId: 'u1' },
      { type: 'identify', userId: 'x'.repeat(256) },
      { type: 'page', anonymousId: 'a1', timestamp: 'yesterday' },
      { type: 'identify', anonymousId: 'a1', traits: { email: 'a@b.test' }, messageId: mid('ok') },
      'not an event',
      { type: 'track', anonymousId: 'a1', event: 'Nul', properties: { text: 'a\u0000b' } },
      { type: 'track', anonymousId: { id: 1 }, event: 'X' },
      { type: 'identify', anonymousId: 'a1', traits: ['not', 'an', 'object'] },
      { type: 'page', anonymousId: 'a1', messageId: 'm'.repeat(256) },
      { type: 'track', anonymousId: 'a1', event: 'Far', timestamp: '0001-01-01T00:00:00Z', sentAt: '9999-01-01T00:00:00Z' },
    ];
    const res = await api.sendAs(writeKey, '/v1/batch', { batch });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.rejected!.map((r) => [r.index, r.field])).toEqual([
      [1, 'batch[1].type'],
      [2, 'batch[2].userId'],
      [3, 'batch[3].event'],
      [4, 'batch[4].previousId'],
      [5, 'batch[5].groupId'],
      [6, 'batch[6].userId'],
      [7, 'batch[7].timestamp'],
      [9, 'batch[9]'],
      [10, 'batch[10]'],
      [11, 'batch[11].anonymousId'],
      [12, 'batch[12].traits'],
      [13, 'batch[13].messageId'],
      [14, 'batch[14].sentAt'],
    ]);
    const reasons = Object.fromEntries(res.body.rejected!.map((r) => [r.index, r.reason]));
    expect(reasons[1]).toBe('must be one of identify, track, page, screen, group, alias');
    expect(reasons[2]).toBe('an event needs a userId or an anonymousId');
    expect(reasons[6]).toBe('must be at most 255 characters (it has 256)');
    expect(reasons[7]).toMatch(/ISO-8601/);
    expect(reasons[9]).toBe('an event must be a JSON object');
    const rows = await storedEvents(api.db, sourceId);
    expect(rows.map((r) => [r.type, r.event])).toEqual([['track', 'Signed Up'], ['identify', null]]);
  });

  it('answers 400 and stores nothing when no event is valid', async () => {
    const { sourceId, writeKey } = await source();
    const res = await api.sendAs(writeKey, '/v1/batch', { batch: [{ type: 'track', userId: 'u' }, { userId: 'u' }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: 'INVALID_EVENT' });
    expect(res.body.rejected!.map((r) => r.field)).toEqual(['batch[0].event', 'batch[1].type']);
    expect(await countRows(api.db, 'tracked_events', 'source_id = $1', [sourceId])).toBe(0);
  });

  it('answers a single call that is invalid with 400 naming the field', async () => {
    const { writeKey } = await source();
    expect((await api.sendAs(writeKey, '/v1/track', { userId: 'u' })).body).toEqual({
      success: false,
      code: 'INVALID_EVENT',
      message: 'event: a track needs the name of the event (a non-empty string)',
      field: 'event',
      reason: 'a track needs the name of the event (a non-empty string)',
    });
    const mismatch = await api.sendAs(writeKey, '/v1/track', { type: 'identify', userId: 'u' });
    expect([mismatch.status, mismatch.body.field]).toEqual([400, 'type']);
  });

  it('refuses a request that is not JSON, has no batch array, an empty batch or a bad batch sentAt, with 400', async () => {
    const { writeKey } = await source();
    const cases: [unknown, string][] = [
      ['{"batch": [', 'the body is not valid JSON'],
      [{ events: [] }, 'batch: must be an array of events'],
      [{ batch: {} }, 'batch: must be an array of events'],
      [{ batch: [] }, 'batch: must hold at least one event'],
      [[], 'the body must be a JSON object with a "batch" array (or an array of events)'],
      ['"text"', 'the body must be a JSON object with a "batch" array (or an array of events)'],
      [{ batch: [{ type: 'page', anonymousId: 'a' }], sentAt: 'soon' }, 'sentAt: must be an ISO-8601 date-time, e.g. "2012-12-02T00:30:08.276Z"'],
      [{ batch: [{ type: 'page', anonymousId: 'a' }], context: 'web' }, 'context: must be a JSON object'],
    ];
    for (const [body, message] of cases) {
      const res = await api.sendAs(writeKey, '/v1/batch', body);
      expect([res.status, res.body]).toEqual([400, { success: false, code: 'BAD_REQUEST', message }]);
    }
  });

  it('refuses a body nesting deeper than 32 levels, without overflowing anything', async () => {
    const { writeKey } = await source();
    const deep = `{"batch":[{"type":"page","anonymousId":"a","properties":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}]}`;
    const res = await api.sendAs(writeKey, '/v1/batch', deep);
    expect([res.status, res.body.code]).toEqual([400, 'BAD_REQUEST']);
    expect(res.body.message).toMatch(/deeper than 32 levels/);
  });
});

describe('retries and duplicates', () => {
  it('stores an event once however often it is sent (messageId per source); the wake hook hears only of new rows', async () => {
    const { sourceId, writeKey } = await source();
    const batch = { batch: [1, 2, 3].map((n) => ({ type: 'track', anonymousId: 'a', event: `E${n}`, messageId: `retry-${n}` })) };
    const wakesBefore = api.wakes.length;
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await api.sendAs(writeKey, '/v1/batch', batch);
      expect([res.status, res.body]).toEqual([200, { success: true }]);
    }
    expect(api.wakes.slice(wakesBefore)).toEqual([3]);
    // twice in one batch, and once more alone
    await api.sendAs(writeKey, '/v1/batch', { batch: [{ type: 'page', anonymousId: 'a', messageId: 'twice' }, { type: 'page', anonymousId: 'a', messageId: 'twice' }] });
    await api.sendAs(writeKey, '/v1/page', { anonymousId: 'a', messageId: 'twice' });
    const rows = await storedEvents(api.db, sourceId);
    expect(rows.map((r) => r.message_id)).toEqual(['retry-1', 'retry-2', 'retry-3', 'twice']);
    // the same messageId from another source is another event
    const other = await source();
    await api.sendAs(other.writeKey, '/v1/page', { anonymousId: 'a', messageId: 'twice' });
    expect(await countRows(api.db, 'tracked_events', 'message_id = $1', ['twice'])).toBe(2);
  });

  it('generates a messageId for each event sent without one (such events cannot be told apart on a retry)', async () => {
    const { sourceId, writeKey } = await source();
    const event = { anonymousId: 'a', event: 'No id' };
    await api.sendAs(writeKey, '/v1/track', event);
    await api.sendAs(writeKey, '/v1/track', event);
    const rows = await storedEvents(api.db, sourceId);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.message_id).not.toBe(rows[1]!.message_id);
  });
});

/** A track event whose compact JSON is exactly `bytes` bytes. */
function eventOfSize(bytes: number, messageId: string): Record<string, unknown> {
  const event = { type: 'track', anonymousId: 'a', event: 'Sized', messageId, properties: { pad: '' } };
  event.properties.pad = 'x'.repeat(bytes - JSON.stringify(event).length);
  expect(JSON.stringify(event).length).toBe(bytes);
  return event;
}

describe("Segment's limits", () => {
  it('takes an event of exactly 32 KB and rejects one a byte over, naming the limit', async () => {
    const { sourceId, writeKey } = await source();
    const res = await api.sendAs(writeKey, '/v1/batch', { batch: [eventOfSize(32 * 1024, 'at-limit'), eventOfSize(32 * 1024 + 1, 'over-limit')] });
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([{ index: 1, field: 'batch[1]', reason: 'the event is 32769 bytes of JSON; the limit is 32768 bytes (32 KB) an event' }]);
    expect((await storedEvents(api.db, sourceId)).map((r) => r.message_id)).toEqual(['at-limit']);
    // counted in UTF-8 bytes: 11,000 three-byte characters are 33,000 bytes
    const wide = await api.sendAs(writeKey, '/v1/track', { anonymousId: 'a', event: 'Wide', properties: { text: '€'.repeat(11_000) } });
    expect([wide.status, wide.body.code]).toEqual([400, 'EVENT_TOO_LARGE']);
  });

  it('takes a request of exactly 500 KB and refuses one a byte over with 400, storing nothing of it', async () => {
    const { sourceId, writeKey } = await source();
    const sized = (total: number, tag: string) => {
      const batch = Array.from({ length: 21 }, (_, i) => eventOfSize(24_000, `${tag}-${i}`));
      const body = { batch };
      const last = batch[20]!.properties as { pad: string };
      last.pad += 'x'.repeat(total - JSON.stringify(body).length);
      const text = JSON.stringify(body);
      expect(text.length).toBe(total);
      return text;
    };
    const at = await api.sendAs(writeKey, '/v1/batch', sized(500 * 1024, 'at'));
    expect([at.status, at.body]).toEqual([200, { success: true }]);
    const over = await api.sendAs(writeKey, '/v1/batch', sized(500 * 1024 + 1, 'over'));
    expect(over.status).toBe(400);
    expect(over.body).toEqual({
      success: false,
      code: 'REQUEST_TOO_LARGE',
      message: "the request body exceeds 512000 bytes (500 KB), Segment's limit for a batch: send smaller batches",
    });
    expect(await countRows(api.db, 'tracked_events', 'source_id = $1', [sourceId])).toBe(21);
  });

  it('takes gzip bodies, and refuses one that inflates past 500 KB (a zip bomb) without inflating it all', async () => {
    const { sourceId, writeKey } = await source();
    const batch = { batch: [{ type: 'page', anonymousId: 'gz', name: 'Zipped', messageId: mid('gz') }] };
    const res = await api.sendAs(writeKey, '/v1/batch', gzip(batch), { 'content-encoding': 'gzip' });
    expect([res.status, res.body]).toEqual([200, { success: true }]);
    expect((await storedEvents(api.db, sourceId)).map((r) => r.event)).toEqual(['Zipped']);

    const bomb = gzip(`{"batch":[{"type":"page","anonymousId":"a","name":"${'0'.repeat(5_000_000)}"}]}`);
    expect(bomb.length).toBeLessThan(10_000);
    const refused = await api.sendAs(writeKey, '/v1/batch', bomb, { 'content-encoding': 'gzip' });
    expect([refused.status, refused.body.code]).toEqual([400, 'REQUEST_TOO_LARGE']);
    expect(refused.body.message).toMatch(/once inflated/);

    const broken = await api.sendAs(writeKey, '/v1/batch', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    expect([broken.status, broken.body.message]).toEqual([400, 'the body is not valid gzip (Content-Encoding: gzip)']);
    const other = await api.sendAs(writeKey, '/v1/batch', gzip(batch), { 'content-encoding': 'br' });
    expect([other.status, other.body.code]).toEqual([415, 'UNSUPPORTED_ENCODING']);
    expect(await countRows(api.db, 'tracked_events', 'source_id = $1', [sourceId])).toBe(1);
  });
});

describe('the endpoints', () => {
  it('answers only POST, on the endpoints it has', async () => {
    const get = await fetch(`${api.base}/v1/batch`);
    expect([get.status, ((await get.json()) as { code: string }).code, get.headers.get('allow')]).toEqual([405, 'METHOD_NOT_ALLOWED', 'POST']);
    const unknown = await api.sendAs(api.writeKey, '/v1/purchase', { anonymousId: 'a' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it("takes analytics.js's short paths and its text/plain body carrying the write key, answering browsers from any origin", async () => {
    const { sourceId, writeKey } = await source();
    const res = await api.send('/v1/p', { writeKey, anonymousId: 'browser-1', name: 'Pricing', messageId: mid('ajs') }, { 'content-type': 'text/plain', origin: 'https://www.example.com' });
    expect([res.status, res.body, res.headers.get('access-control-allow-origin')]).toEqual([200, { success: true }, '*']);
    const [row] = await storedEvents(api.db, sourceId);
    expect([row!.type, row!.event, row!.anonymous_id]).toEqual(['page', 'Pricing', 'browser-1']);
    // the write key is not kept with the event
    expect(row!.payload).not.toHaveProperty('writeKey');
  });

  it("takes what webhooks forward on /v1/batch: an array of events, or one event with its type", async () => {
    const { sourceId, writeKey } = await source();
    const array = await api.sendAs(writeKey, '/v1/batch', [
      { type: 'page', anonymousId: 'w', name: 'Forwarded 1' },
      { type: 'bogus', anonymousId: 'w' },
    ]);
    expect([array.status, array.body.rejected?.map((r) => r.field)]).toEqual([200, ['batch[1].type']]);
    const one = await api.sendAs(writeKey, '/v1/batch', { type: 'track', anonymousId: 'w', event: 'Forwarded 2' });
    expect([one.status, one.body]).toEqual([200, { success: true }]);
    expect((await storedEvents(api.db, sourceId)).map((r) => r.event)).toEqual(['Forwarded 1', 'Forwarded 2']);
  });

  it('keeps numeric ids as their digits', async () => {
    const { sourceId, writeKey } = await source();
    await api.sendAs(writeKey, '/v1/group', { userId: 42, groupId: 7 });
    const [row] = await storedEvents(api.db, sourceId);
    expect([row!.user_id, row!.group_id]).toEqual(['42', '7']);
  });
});
