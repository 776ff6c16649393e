import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertCampaign } from '../helpers/core-fixtures';
import { createSource, eventTouches, identify, page, processor, storeEvents, track } from './processing-fixtures';

/** Erasure of a lead made from web events: its events lose who the person is, its touchpoints stay. */
describe('event processing: erasure', () => {
  let app: TestApp;
  let source: string;
  beforeAll(async () => {
    app = await createTestApp();
    source = await createSource(app.db);
    const launch = await insertCampaign(app.db, { name: 'Spring launch', channel: 'PAID_SEARCH' });
    await app.db.sql(`UPDATE campaigns SET external_id = 'spring-launch' WHERE id = $1`, [launch]);
  });
  afterAll(() => app.close());

  const holding = async (needle: string) =>
    (await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM tracked_events WHERE strpos(lower(payload::text), lower($1)) > 0`, [needle]))[0]!.n;

  it('scrubs traits, IP, ids and the email from the events of the erased lead, and keeps its touchpoints', async () => {
    const site = 'https://www.acme-site.test';
    await storeEvents(app.db, source, [
      page('anon-e1', '2026-05-01T10:00:00Z', `${site}/?utm_campaign=spring-launch&email=erin%40erase.test`),
      identify({ anonymousId: 'anon-e1', userId: 'user-e1' }, '2026-05-01T10:01:00Z', { email: 'Erin@Erase.test', firstName: 'Erin', lastName: 'Example', phone: '+1 555 0100' }),
      track({ anonymousId: 'anon-e1', userId: 'user-e1' }, '2026-05-01T10:02:00Z', 'Demo Requested', {
        traits: { email: 'erin@erase.test' },
        properties: { email: 'erin@erase.test', note: 'call Erin Example' },
      }),
      { type: 'alias', previousId: 'anon-e1', userId: 'user-e1', timestamp: '2026-05-01T10:03:00Z' },
    ]);
    await processor(app.db).runOnce();
    const [lead] = await app.db.sql<{ id: string }>(`SELECT id::text AS id FROM leads WHERE lower(email) = 'erin@erase.test'`);
    const touches = await eventTouches(app.db, 'lead_id = $1', [lead!.id]);
    expect(touches.map((t) => t.kind)).toEqual(['AD_CLICK', 'FORM_FILL']);
    for (const needle of ['erin@erase.test', 'erin%40erase.test', '203.0.113.7', 'anon-e1', 'user-e1', '555 0100', 'Erin Example']) {
      expect([needle, await holding(needle)]).toEqual([needle, expect.any(Number)]);
      expect(await holding(needle)).toBeGreaterThan(0);
    }
    await app.ok(`mutation($input: EraseLeadInput!) { eraseLead(input: $input) { lead { id } } }`, { input: { id: gid('Lead', lead!.id), reason: 'GDPR request 42' } });
    for (const needle of ['erin@erase.test', 'erin%40erase.test', '203.0.113.7', 'anon-e1', 'user-e1', '555 0100', 'Erin Example']) {
      expect([needle, await holding(needle)]).toEqual([needle, 0]);
    }
    const ids = await app.db.sql(`SELECT DISTINCT anonymous_id, user_id, previous_id, lead_id::text AS lead_id FROM tracked_events`);
    expect(ids).toEqual([{ anonymous_id: null, user_id: `erased:${lead!.id}`, previous_id: null, lead_id: lead!.id }]);
    const [left] = await app.db.sql(
      `SELECT (SELECT count(*)::int FROM tracking_anonymous_ids) AS anonymous, (SELECT count(*)::int FROM tracking_user_ids) AS users,
              (SELECT count(*)::int FROM tracking_aliases) AS aliases`,
    );
    expect(left).toEqual({ anonymous: 0, users: 0, aliases: 0 });
    // what placed the touchpoints stays: they are unchanged, and processing the events again changes nothing
    expect(await eventTouches(app.db, 'lead_id = $1', [lead!.id])).toEqual(touches);
    await app.db.sql(`UPDATE tracked_events SET processed_at = NULL`);
    await processor(app.db).runOnce();
    expect(await eventTouches(app.db)).toEqual(touches);
    expect((await app.db.sql(`SELECT id FROM leads`)).length).toBe(1);
  });

  it('the same browser identified again after the erasure is a new lead', async () => {
    await storeEvents(app.db, source, [identify({ anonymousId: 'anon-e1' }, '2026-06-01T10:00:00Z', { email: 'erin@erase.test' })]);
    await processor(app.db).runOnce();
    const leads = await app.db.sql<{ email: string }>(`SELECT email FROM leads ORDER BY id`);
    expect(leads.map((l) => l.email)).toEqual([expect.stringMatching(/^erased-\d+@erased\.invalid$/), 'erin@erase.test']);
  });

  it('never shows an ANALYST the UTM free text of a lead (term, content)', async () => {
    await storeEvents(app.db, source, [
      identify({ anonymousId: 'anon-u1' }, '2026-07-01T09:00:00Z', { email: 'utm@analyst.test' }),
      page('anon-u1', '2026-07-01T10:00:00Z', 'https://www.acme-site.test/?utm_campaign=spring-launch&utm_source=google&utm_medium=cpc&utm_term=crm&utm_content=jane%40x.test'),
    ]);
    await processor(app.db).runOnce();
    const [lead] = await app.db.sql<{ id: string }>(`SELECT id::text AS id FROM leads WHERE email = 'utm@analyst.test'`);
    const query = `query($id: ID!) { node(id: $id) { ... on Lead { firstTouchUtm { campaign source medium term content occurredAt } } } }`;
    const admin = await app.ok<{ node: { firstTouchUtm: Record<string, string> } }>(query, { id: gid('Lead', lead!.id) });
    expect(admin.node.firstTouchUtm).toEqual({ campaign: 'spring-launch', source: 'google', medium: 'cpc', term: 'crm', content: 'jane@x.test', occurredAt: '2026-07-01T10:00:00.000Z' });
    const analyst = await app.ok<{ node: { firstTouchUtm: Record<string, string | null> } }>(query, { id: gid('Lead', lead!.id) }, Role.ANALYST);
    expect(analyst.node.firstTouchUtm).toMatchObject({ campaign: 'spring-launch', source: 'google', medium: 'cpc', occurredAt: '2026-07-01T10:00:00.000Z' });
    expect(JSON.stringify(analyst)).not.toContain('jane@x.test');
    expect(JSON.stringify(analyst)).not.toContain('crm');
  });
});
