import { Analytics } from '@segment/analytics-node';
import { IntakeApp, startIntakeApp, storedEvents } from './intake-support';

/*
 * The official client, @segment/analytics-node 3.x, pointed at the server as a user would
 * (host and path), delivers its events end to end: each arrives stored, once.
 */

let api: IntakeApp;
beforeAll(async () => {
  api = await startIntakeApp();
});
afterAll(async () => {
  await api.close();
});

it('delivers page views, an identify, a track, a group and an alias from @segment/analytics-node', async () => {
  const { sourceId, writeKey } = await api.newSource('node backend');
  const analytics = new Analytics({ writeKey, host: api.base, path: '/v1/batch', flushAt: 4, maxRetries: 2 });
  const failures: unknown[] = [];
  analytics.on('error', (error) => failures.push(error));
  const anonymousId = 'b7d5c1e2-anon';
  for (const path of ['/pricing', '/blog/attribution', '/demo']) {
    analytics.page({
      anonymousId,
      name: path,
      properties: { url: `https://www.example.com${path}?utm_source=google&utm_medium=cpc&utm_campaign=spring`, path },
      context: { campaign: { source: 'google', medium: 'cpc', name: 'spring' } },
    });
  }
  analytics.identify({ anonymousId, userId: 'user-42', traits: { email: 'jane@acme.example', name: 'Jane Doe' } });
  analytics.track({ userId: 'user-42', event: 'Demo Requested', properties: { plan: 'enterprise' } });
  analytics.group({ userId: 'user-42', groupId: 'acme', traits: { name: 'Acme', domain: 'acme.example' } });
  analytics.alias({ userId: 'user-42', previousId: anonymousId });
  await analytics.closeAndFlush({ timeout: 30_000 });
  expect(failures).toEqual([]);

  const rows = await storedEvents(api.db, sourceId);
  // two batches of at most 4 (flushAt), which may arrive in either order: compared as sets
  const sorted = (list: unknown[][]) => list.map((r) => JSON.stringify(r)).sort();
  expect(sorted(rows.map((r) => [r.type, r.event, r.anonymous_id, r.user_id, r.previous_id, r.group_id]))).toEqual(sorted([
    ['page', '/pricing', anonymousId, null, null, null],
    ['page', '/blog/attribution', anonymousId, null, null, null],
    ['page', '/demo', anonymousId, null, null, null],
    ['identify', null, anonymousId, 'user-42', null, null],
    ['track', 'Demo Requested', null, 'user-42', null, null],
    ['group', null, null, 'user-42', null, 'acme'],
    ['alias', null, null, 'user-42', anonymousId, null],
  ]));
  for (const row of rows) {
    // the client's own messageId is the key, and its library is named in the context
    expect(row.message_id).toBe(row.payload.messageId);
    expect((row.payload.context as { library?: { name?: string } }).library?.name).toBe('@segment/analytics-node');
    // the client sends timestamp and sentAt: the corrected time is no later than the receipt
    expect(Date.parse(row.occurred_at)).toBeLessThanOrEqual(Date.parse(row.received_at));
  }
  expect(rows.find((r) => r.event === '/pricing')!.payload.context).toMatchObject({ campaign: { source: 'google', medium: 'cpc', name: 'spring' } });
  // the write key the client puts in each batch is not kept
  expect(JSON.stringify(rows.map((r) => r.payload))).not.toContain(writeKey);
});

it('is told 401 for a revoked key and does not retry it', async () => {
  const { sourceId, writeKey } = await api.newSource('revoked');
  await api.db.sql(`UPDATE event_sources SET revoked_at = now() WHERE id = $1`, [sourceId]);
  const analytics = new Analytics({ writeKey, host: api.base, path: '/v1/batch', flushAt: 1, maxRetries: 3 });
  const errors: string[] = [];
  analytics.on('error', (error: unknown) => errors.push(String((error as { reason?: unknown }).reason ?? error)));
  analytics.track({ anonymousId: 'a', event: 'Refused' });
  await analytics.closeAndFlush({ timeout: 30_000 });
  expect(errors).toEqual([expect.stringContaining('[401]')]);
  expect(await storedEvents(api.db, sourceId)).toEqual([]);
});
