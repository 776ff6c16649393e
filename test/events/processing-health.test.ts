import { observeQueries } from '../../src/db/data-source';
import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertCampaign } from '../helpers/core-fixtures';
import { createSource, identify, page, processor, storeEvents, track } from './processing-fixtures';

const site = 'https://www.acme-site.test';

/**
 * trackingHealth over a small window worked by hand, and the first/latest touch UTMs of leads.
 *
 * Window: August 2026. Campaigns: spring-launch (PAID_SEARCH, spend 100.00 on 08-01, reached by
 * events), dark (EMAIL, spend 250.00 on 08-02, reached by none), old (spend 75.00 on 07-15,
 * outside). Events of the window, by person:
 *   h1 (never identified): a spring-launch click (ANONYMOUS) and a direct visit (DIRECT);
 *   h2 (never identified): promo-x with medium "weird" (UNPLACED: both unknown), then promo-x with
 *      medium cpc (ANONYMOUS on the PAID_SEARCH catch-all: utm_campaign unknown);
 *   h3 (identified): identify (IDENTITY), a spring-launch click (TOUCHPOINT), Button Clicked (NOT_A_TOUCH);
 *   h5: a page view stored after the run (PENDING, the backlog).
 * h4's page view of 07-31 is outside the window.
 */
describe('trackingHealth and touch UTMs', () => {
  let app: TestApp;
  let source: string;
  let dark: string;
  beforeAll(async () => {
    app = await createTestApp();
    source = await createSource(app.db);
    const launch = await insertCampaign(app.db, { name: 'Spring launch', channel: 'PAID_SEARCH' });
    dark = await insertCampaign(app.db, { name: 'Dark campaign', channel: 'EMAIL' });
    const old = await insertCampaign(app.db, { name: 'Old campaign', channel: 'EMAIL' });
    await app.db.sql(`UPDATE campaigns SET external_id = 'spring-launch' WHERE id = $1`, [launch]);
    await app.db.sql(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2026-08-01', 100), ($2, '2026-08-02', 250), ($3, '2026-07-15', 75)`, [
      launch,
      dark,
      old,
    ]);
    await storeEvents(app.db, source, [
      page('h1', '2026-08-03T10:00:00Z', `${site}/?utm_campaign=spring-launch`),
      page('h1', '2026-08-03T10:05:00Z', `${site}/pricing`),
      page('h2', '2026-08-04T10:00:00Z', `${site}/?utm_campaign=promo-x&utm_medium=weird`),
      page('h2', '2026-08-06T10:00:00Z', `${site}/?utm_campaign=promo-x&utm_medium=cpc`),
      identify({ anonymousId: 'h3' }, '2026-08-05T09:00:00Z', { email: 'health@track.test' }),
      page('h3', '2026-08-05T10:00:00Z', `${site}/?utm_campaign=spring-launch&utm_source=google&utm_medium=cpc&utm_term=crm`),
      track({ anonymousId: 'h3' }, '2026-08-05T10:01:00Z', 'Button Clicked'),
      page('h4', '2026-07-31T23:59:59Z', `${site}/?utm_campaign=spring-launch`),
    ]);
    await processor(app.db).runOnce();
    await storeEvents(app.db, source, [page('h5', '2026-08-10T10:00:00Z', `${site}/`)]);
  });
  afterAll(() => app.close());

  const HEALTH = `query($input: TrackingHealthInput!) { trackingHealth(input: $input) {
    from to events outcomes { outcome events }
    unknownUtmCampaigns { value events unplacedEvents firstSeenAt lastSeenAt }
    unknownSourceMedia { source medium events firstSeenAt lastSeenAt }
    campaignsWithoutTrackedTouches { campaign { id name } spend } untrackedSpend
    anonymousIds anonymousIdEvents anonymousTouches backlog } }`;
  const input = { window: { from: '2026-08-01T00:00:00Z', to: '2026-09-01T00:00:00Z' } };

  it('counts what the processing could not place', async () => {
    const data = await app.ok<{ trackingHealth: Record<string, unknown> }>(HEALTH, { input });
    expect(data.trackingHealth).toEqual({
      from: '2026-08-01T00:00:00.000Z',
      to: '2026-09-01T00:00:00.000Z',
      // 2 (h1) + 2 (h2) + 3 (h3) + 1 (h5)
      events: 8,
      outcomes: [
        { outcome: 'TOUCHPOINT', events: 1 },
        { outcome: 'ANONYMOUS', events: 2 },
        { outcome: 'DIRECT', events: 1 },
        { outcome: 'UNPLACED', events: 1 },
        { outcome: 'NOT_A_TOUCH', events: 1 },
        { outcome: 'IDENTITY', events: 1 },
        { outcome: 'PENDING', events: 1 },
      ],
      unknownUtmCampaigns: [{ value: 'promo-x', events: 2, unplacedEvents: 1, firstSeenAt: '2026-08-04T10:00:00.000Z', lastSeenAt: '2026-08-06T10:00:00.000Z' }],
      unknownSourceMedia: [{ source: null, medium: 'weird', events: 1, firstSeenAt: '2026-08-04T10:00:00.000Z', lastSeenAt: '2026-08-04T10:00:00.000Z' }],
      campaignsWithoutTrackedTouches: [{ campaign: { id: gid('Campaign', dark), name: 'Dark campaign' }, spend: '250.00' }],
      untrackedSpend: '250.00',
      // h1 and h2, 2 events each; the spring-launch click of h1 and the cpc one of h2 would be touches
      anonymousIds: 2,
      anonymousIdEvents: 4,
      anonymousTouches: 2,
      backlog: 1,
    });
  });

  it('shows an ANALYST the counts, not the values', async () => {
    const data = await app.ok<{ trackingHealth: { unknownUtmCampaigns: { value: string; events: number }[]; unknownSourceMedia: { medium: string | null; events: number }[] } }>(
      HEALTH,
      { input },
      Role.ANALYST,
    );
    expect(data.trackingHealth.unknownUtmCampaigns).toMatchObject([{ events: 2 }]);
    expect(data.trackingHealth.unknownSourceMedia).toMatchObject([{ events: 1 }]);
    expect(JSON.stringify(data)).not.toContain('promo-x');
    expect(JSON.stringify(data)).not.toContain('weird');
  });

  it('refuses a bad window naming the field', async () => {
    const result = await app.gql(HEALTH, { input: { window: { from: '2026-09-01T00:00:00Z', to: '2026-08-01T00:00:00Z' } } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.window.to' });
  });

  it('keeps first and latest touch UTMs symmetrically, in one statement for a page of leads', async () => {
    await storeEvents(app.db, source, [
      // a conversion that took its session's campaign carries no UTMs of its own: not the latest
      track({ anonymousId: 'h3' }, '2026-08-05T10:02:00Z', 'Demo Requested', { url: `${site}/demo` }),
      page('h3', '2026-08-04T08:00:00Z', `${site}/?utm_source=newsletter&utm_medium=email&utm_content=hero`),
      page('h3', '2026-08-20T08:00:00Z', `${site}/?utm_source=linkedin&utm_medium=paid-social`),
      identify({ anonymousId: 'h6' }, '2026-08-05T09:00:00Z', { email: 'no-utm@track.test' }),
      page('h6', '2026-08-05T10:00:00Z', `${site}/`, { referrer: 'https://www.bing.com/' }),
    ]);
    await processor(app.db).runOnce();
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    const data = await app.ok<{ leads: { edges: { node: { email: string; firstTouchUtm: unknown; latestTouchUtm: unknown } }[] } }>(
      `{ leads(first: 10, orderBy: { field: EMAIL, direction: ASC }) { edges { node { email
          firstTouchUtm { campaign source medium term content occurredAt } latestTouchUtm { campaign source medium term content occurredAt } } } } }`,
    );
    stop();
    expect(data.leads.edges.map((e) => e.node)).toEqual([
      {
        email: 'health@track.test',
        // 08-04 08:00 (stitched: before the identify) is the first; 08-20 the latest
        firstTouchUtm: { campaign: null, source: 'newsletter', medium: 'email', term: null, content: 'hero', occurredAt: '2026-08-04T08:00:00.000Z' },
        latestTouchUtm: { campaign: null, source: 'linkedin', medium: 'paid-social', term: null, content: null, occurredAt: '2026-08-20T08:00:00.000Z' },
      },
      // a visit from a search engine: a touchpoint without UTMs
      { email: 'no-utm@track.test', firstTouchUtm: null, latestTouchUtm: null },
    ]);
    expect(statements.filter((s) => s.includes('tracked_events'))).toHaveLength(1);
  });
});
