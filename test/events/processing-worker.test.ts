import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertCampaign } from '../helpers/core-fixtures';
import { approveBoth, proposeAgreement, stageHistory } from '../qualification/auto-mql-fixtures';
import { createSource, eventTouches, identify, page, processor, storeEvents, track } from './processing-fixtures';

/** The worker: replicas share the backlog (each event once), wake() and start() process what is stored. */
describe('event processing: the worker', () => {
  let db: TestDatabase;
  let source: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    source = await createSource(db);
    const campaign = await insertCampaign(db, { name: 'Spring launch', channel: 'PAID_SEARCH' });
    await db.sql(`UPDATE campaigns SET external_id = 'spring-launch' WHERE id = $1`, [campaign]);
  });
  afterAll(() => db.drop());

  it('two processors running at once process every event exactly once', async () => {
    // 20 identified visitors with 6 campaign clicks each: 20 identifies + 120 page views
    const events = [];
    for (let v = 0; v < 20; v++) {
      events.push(identify({ anonymousId: `w-${v}` }, '2026-09-01T08:00:00Z', { email: `worker${v}@replica.test` }));
      for (let p = 0; p < 6; p++) events.push(page(`w-${v}`, `2026-09-01T09:0${p}:00Z`, 'https://www.acme-site.test/?utm_campaign=spring-launch'));
    }
    await storeEvents(db, source, events);
    const [a, b] = [processor(db, { chunkSize: 7 }), processor(db, { chunkSize: 7 })];
    const [byA, byB] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(byA + byB).toBe(140);
    expect(await eventTouches(db)).toHaveLength(120);
    const [counts] = await db.sql<{ pending: number; leads: number; duplicates: number }>(
      `SELECT (SELECT count(*)::int FROM tracked_events WHERE processed_at IS NULL) AS pending, (SELECT count(*)::int FROM leads) AS leads,
              (SELECT count(*)::int FROM (SELECT lead_id, occurred_at FROM touchpoints GROUP BY 1, 2 HAVING count(*) > 1) d) AS duplicates`,
    );
    expect(counts).toEqual({ pending: 0, leads: 20, duplicates: 0 });
  });

  it('processes what the intake stored once woken (after start)', async () => {
    const worker = processor(db);
    worker.start();
    try {
      const [id] = await storeEvents(db, source, [page('w-0', '2026-09-02T09:00:00Z', 'https://www.acme-site.test/?utm_campaign=spring-launch')]);
      worker.wake();
      for (let i = 0; i < 500; i++) {
        const [row] = await db.sql<{ done: boolean }>(`SELECT processed_at IS NOT NULL AS done FROM tracked_events WHERE id = $1`, [id]);
        if (row!.done) break;
        await new Promise((ok) => setTimeout(ok, 20));
      }
      const [row] = await db.sql<{ outcome: string }>(`SELECT outcome FROM tracked_events WHERE id = $1`, [id]);
      expect(row!.outcome).toBe('TOUCHPOINT');
    } finally {
      await worker.stop();
    }
  });

  it('a lead made from web events is qualified automatically like any other (its touches fire the triggers)', async () => {
    // a policy in force since 2020: a form fill is worth 20 points, 20 make an MQL
    const agreement = await proposeAgreement(db, { version: 1, effectiveFrom: '2020-01-01T00:00:00Z', threshold: 20, engagement: [{ touchKinds: ['FORM_FILL'], points: 20 }] });
    await approveBoth(db, agreement.id, '2020-01-02T00:00:00Z');
    await storeEvents(db, source, [
      page('mql-1', '2026-09-03T09:00:00Z', 'https://www.acme-site.test/?utm_campaign=spring-launch'),
      track({ anonymousId: 'mql-1' }, '2026-09-03T09:02:00Z', 'Demo Requested', { traits: { email: 'ready@mql.test' }, url: 'https://www.acme-site.test/demo' }),
    ]);
    await processor(db).runOnce();
    const [lead] = await db.sql<{ id: string; stage: string }>(`SELECT id::text AS id, stage FROM leads WHERE email = 'ready@mql.test'`);
    expect(lead!.stage).toBe('MQL');
    expect((await stageHistory(db, lead!.id)).map((h) => [h.from_stage, h.to_stage, h.qualified_by_version])).toEqual([
      [null, 'NEW', null],
      ['NEW', 'MQL', 1],
    ]);
  });
});
