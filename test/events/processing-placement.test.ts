import { DEFAULT_CHANNEL_RULES } from '../../migrations/1732850000000-event-processing';
import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { firstError, gid, insertCampaign } from '../helpers/core-fixtures';
import type { TestDatabase } from '../helpers/db';
import { createSource, eventRows, eventTouches, identify, page, processor, storeEvents, track } from './processing-fixtures';

/**
 * Campaign matching (docs/events.md): one identified person whose page views and
 * conversions carry every kind of campaign data the rules read, each worked out by hand below.
 */
describe('event processing: campaign matching', () => {
  let app: TestApp;
  let db: TestDatabase;
  let source: string;
  let launch: string;
  let webinar: string;
  beforeAll(async () => {
    app = await createTestApp();
    db = app.db;
    source = await createSource(db);
    launch = await insertCampaign(db, { name: 'Spring launch', channel: 'PAID_SEARCH' });
    await db.sql(`UPDATE campaigns SET external_id = 'spring-launch' WHERE id = $1`, [launch]);
    webinar = await insertCampaign(db, { name: 'Q3 webinar', channel: 'WEBINAR' });
    await db.sql(`INSERT INTO tracking_utm_campaigns (utm_campaign, campaign_id) VALUES ('q3-webinar-promo', $1)`, [webinar]);
  });
  afterAll(() => app.close());

  it('places each event by the first rule that matches, and makes touchpoints of the touches', async () => {
    const site = 'https://www.acme-site.test';
    const ids = await storeEvents(db, source, [
      identify({ anonymousId: 'a1', userId: 'u1' }, '2026-03-02T10:00:00Z', { email: 'Jane.Roe@Prospect.test', firstName: 'Jane', lastName: 'Roe' }),
      // 1: utm_campaign (percent-encoded) is a campaign's external id
      page('a1', '2026-03-02T10:01:00Z', `${site}/?utm_campaign=spring%2Dlaunch&utm_source=google&utm_medium=cpc`, { userId: 'u1' }),
      // 2: context.campaign's name is mapped (compared without case)
      page('a1', '2026-03-02T10:02:00Z', `${site}/webinar`, { userId: 'u1', campaign: { name: 'Q3-Webinar-Promo', source: 'linkedin', medium: 'paid-social' } }),
      // 3: no campaign; medium "Email" -> EMAIL by the default rules -> the EMAIL catch-all
      page('a1', '2026-03-02T10:03:00Z', `${site}/blog?utm_source=newsletter&utm_medium=Email`, { userId: 'u1' }),
      // 4: a Google Ads click id -> PAID_SEARCH
      page('a1', '2026-03-02T10:04:00Z', `${site}/?gclid=Cj0KCQ`, { userId: 'u1' }),
      // 5: a search engine's referrer -> ORGANIC
      page('a1', '2026-03-02T10:05:00Z', `${site}/features`, { userId: 'u1', referrer: 'https://www.google.com/' }),
      // 6: another site's referrer -> REFERRAL
      page('a1', '2026-03-02T10:06:00Z', `${site}/partners`, { userId: 'u1', referrer: 'https://blog.partner.test/post' }),
      // 7: the site's own referrer, no campaign data: direct, no touchpoint
      page('a1', '2026-03-02T10:07:00Z', `${site}/pricing`, { userId: 'u1', referrer: `${site}/features` }),
      // 8: nothing matches: kept, unplaced
      page('a1', '2026-03-02T10:08:00Z', `${site}/?utm_campaign=mystery&utm_source=foo&utm_medium=bar`, { userId: 'u1' }),
      // 9: unknown campaign, known medium: the PAID_SEARCH catch-all (utm_campaign reported unknown)
      page('a1', '2026-03-02T10:10:00Z', `${site}/?utm_campaign=unknown-camp&utm_medium=cpc`, { userId: 'u1' }),
      // 10: a conversion without campaign data, 2 minutes after 9: the session's campaign
      track({ anonymousId: 'a1', userId: 'u1' }, '2026-03-02T10:12:00Z', 'Demo Requested', { url: `${site}/demo` }),
      // 11: the same, 80 minutes after the last campaign data: direct
      track({ anonymousId: 'a1', userId: 'u1' }, '2026-03-02T11:30:00Z', 'Demo Requested', { url: `${site}/demo` }),
      // 12: an event that is no touch
      track({ anonymousId: 'a1', userId: 'u1' }, '2026-03-02T10:13:00Z', 'Button Clicked'),
    ]);
    expect(await processor(db).runOnce()).toBe(13);
    const [lead] = await db.sql<{ id: string; email: string; first_name: string; stage: string; created_at: string }>(
      `SELECT id::text AS id, email, first_name, stage, to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') AS created_at FROM leads`,
    );
    expect(lead).toEqual({ id: expect.any(String), email: 'Jane.Roe@Prospect.test', first_name: 'Jane', stage: 'NEW', created_at: '10:00' });
    const catchAll = async (channel: string) =>
      (await db.sql<{ id: string }>(`SELECT id::text AS id FROM campaigns WHERE external_id = $1`, [`web:${channel}`]))[0]?.id;
    const [email, paid, organic, referral] = [await catchAll('EMAIL'), await catchAll('PAID_SEARCH'), await catchAll('ORGANIC'), await catchAll('REFERRAL')];
    const rows = await eventRows(db, ids);
    const shape = rows.map((r) => [r.outcome, r.placed_by, r.channel, r.campaign_id, r.touch_kind]);
    expect(shape).toEqual([
      ['IDENTITY', null, null, null, null],
      ['TOUCHPOINT', 'CAMPAIGN_EXTERNAL_ID', 'PAID_SEARCH', launch, 'AD_CLICK'],
      ['TOUCHPOINT', 'UTM_MAPPING', 'WEBINAR', webinar, 'WEB_VISIT'],
      ['TOUCHPOINT', 'CHANNEL_RULE', 'EMAIL', email, 'WEB_VISIT'],
      ['TOUCHPOINT', 'CLICK_ID', 'PAID_SEARCH', paid, 'AD_CLICK'],
      ['TOUCHPOINT', 'REFERRER', 'ORGANIC', organic, 'WEB_VISIT'],
      ['TOUCHPOINT', 'REFERRER', 'REFERRAL', referral, 'WEB_VISIT'],
      ['DIRECT', null, null, null, 'WEB_VISIT'],
      ['UNPLACED', null, null, null, 'WEB_VISIT'],
      ['TOUCHPOINT', 'CHANNEL_RULE', 'PAID_SEARCH', paid, 'AD_CLICK'],
      ['TOUCHPOINT', 'SESSION', 'PAID_SEARCH', paid, 'FORM_FILL'],
      ['DIRECT', null, null, null, 'FORM_FILL'],
      ['NOT_A_TOUCH', null, null, null, null],
    ]);
    expect(rows.every((r) => r.processed && (r.outcome !== 'TOUCHPOINT' || r.lead_id === lead!.id))).toBe(true);
    const [unknown] = await db.sql<{ campaigns: string[]; source_medium: string[] }>(
      `SELECT array_agg(utm_campaign ORDER BY id) FILTER (WHERE unknown_utm_campaign) AS campaigns,
              array_agg(utm_source || '/' || utm_medium ORDER BY id) FILTER (WHERE unknown_source_medium) AS source_medium FROM tracked_events`,
    );
    expect(unknown).toEqual({ campaigns: ['mystery', 'unknown-camp'], source_medium: ['foo/bar'] });
    const touches = await eventTouches(db);
    expect(touches.map((t) => [t.occurred_at.slice(11, 16), t.campaign_id, t.kind])).toEqual([
      ['10:01', launch, 'AD_CLICK'],
      ['10:02', webinar, 'WEB_VISIT'],
      ['10:03', email, 'WEB_VISIT'],
      ['10:04', paid, 'AD_CLICK'],
      ['10:05', organic, 'WEB_VISIT'],
      ['10:06', referral, 'WEB_VISIT'],
      ['10:10', paid, 'AD_CLICK'],
      ['10:12', paid, 'FORM_FILL'],
    ]);
  });

  it('is idempotent: events processed again make no second touchpoint', async () => {
    const before = await eventTouches(db);
    await db.sql(`UPDATE tracked_events SET processed_at = NULL`);
    expect(await processor(db).runOnce()).toBe(13);
    expect(await processor(db).runOnce()).toBe(0);
    expect(await eventTouches(db)).toEqual(before);
    const [counts] = await db.sql<{ leads: number; touches: number }>(`SELECT (SELECT count(*)::int FROM leads) AS leads, (SELECT count(*)::int FROM touchpoints) AS touches`);
    expect(counts).toEqual({ leads: 1, touches: 8 });
  });

  describe('rules changed through the API', () => {
    const SET_MAPPING = `mutation($input: SetUtmCampaignMappingInput!) {
      setUtmCampaignMapping(input: $input) { mapping { utmCampaign campaign { id name } } replacedEvents } }`;
    const SET_RULE = `mutation($input: SetChannelRuleInput!) { setChannelRule(input: $input) { rule { source medium channel } replacedEvents } }`;
    const REMOVE_RULE = `mutation($input: RemoveChannelRuleInput!) { removeChannelRule(input: $input) { rule { channel } replacedEvents } }`;
    const SET_KIND = `mutation($input: SetEventKindMappingInput!) { setEventKindMapping(input: $input) { mapping { eventName kind } replacedEvents } }`;
    const placement = async (utmCampaign: string) =>
      db.sql<{ outcome: string; campaign_id: string | null; touch_kind: string; unknown_utm_campaign: boolean; unknown_source_medium: boolean }>(
        `SELECT outcome, campaign_id::text AS campaign_id, touch_kind, unknown_utm_campaign, unknown_source_medium FROM tracked_events WHERE utm_campaign = $1`,
        [utmCampaign],
      );
    const touchAt = async (hhmm: string) => (await eventTouches(db)).filter((t) => t.occurred_at.slice(11, 16) === hhmm).map((t) => [t.campaign_id, t.kind]);

    it('a mapping places the unknown value on its campaign, and the conversion of its session follows', async () => {
      const fall = await insertCampaign(db, { name: 'Fall newsletter', channel: 'EMAIL' });
      const data = await app.ok<{ setUtmCampaignMapping: { mapping: { utmCampaign: string; campaign: { id: string } }; replacedEvents: number } }>(
        SET_MAPPING,
        { input: { utmCampaign: ' Unknown-Camp ', campaignId: gid('Campaign', fall) } },
        Role.MARKETING,
      );
      // the 10:10 page view, and the 10:12 demo request that took its campaign
      expect(data.setUtmCampaignMapping).toEqual({ mapping: { utmCampaign: 'Unknown-Camp', campaign: { id: gid('Campaign', fall), name: 'Fall newsletter' } }, replacedEvents: 2 });
      // no click id and an EMAIL campaign: a visit, no more an ad click
      expect(await touchAt('10:10')).toEqual([[fall, 'WEB_VISIT']]);
      expect(await touchAt('10:12')).toEqual([[fall, 'FORM_FILL']]);
      expect(await placement('unknown-camp')).toEqual([{ outcome: 'TOUCHPOINT', campaign_id: fall, touch_kind: 'WEB_VISIT', unknown_utm_campaign: false, unknown_source_medium: false }]);
      const list = await app.ok<{ utmCampaignMappings: { totalCount: number; edges: { node: { utmCampaign: string } }[] } }>(
        `{ utmCampaignMappings(first: 10) { totalCount edges { node { utmCampaign } } } }`,
        {},
        Role.ANALYST,
      );
      expect(list.utmCampaignMappings).toEqual({ totalCount: 2, edges: [{ node: { utmCampaign: 'q3-webinar-promo' } }, { node: { utmCampaign: 'Unknown-Camp' } }] });
    });

    it('a source/medium rule places the unplaced event on its channel, and removing it takes the touchpoint away', async () => {
      const set = await app.ok<{ setChannelRule: { rule: { source: string; medium: string; channel: string }; replacedEvents: number } }>(SET_RULE, {
        input: { source: 'Foo', medium: 'BAR', channel: 'PARTNER' },
      });
      expect(set.setChannelRule).toEqual({ rule: { source: 'foo', medium: 'bar', channel: 'PARTNER' }, replacedEvents: 1 });
      const [partner] = await db.sql<{ id: string }>(`SELECT id::text AS id FROM campaigns WHERE external_id = 'web:PARTNER'`);
      expect(await touchAt('10:08')).toEqual([[partner!.id, 'WEB_VISIT']]);
      // its utm_campaign is still unknown (the catch-all is no campaign of its own); source/medium are known now
      expect(await placement('mystery')).toEqual([{ outcome: 'TOUCHPOINT', campaign_id: partner!.id, touch_kind: 'WEB_VISIT', unknown_utm_campaign: true, unknown_source_medium: false }]);
      const removed = await app.ok<{ removeChannelRule: { rule: null; replacedEvents: number } }>(REMOVE_RULE, { input: { source: 'foo', medium: 'bar' } });
      expect(removed.removeChannelRule).toEqual({ rule: null, replacedEvents: 1 });
      expect(await touchAt('10:08')).toEqual([]);
      expect(await placement('mystery')).toEqual([{ outcome: 'UNPLACED', campaign_id: null, touch_kind: 'WEB_VISIT', unknown_utm_campaign: true, unknown_source_medium: true }]);
      const rules = await app.ok<{ channelRules: { totalCount: number } }>(`{ channelRules(first: 1) { totalCount } }`);
      expect(rules.channelRules.totalCount).toBe(DEFAULT_CHANNEL_RULES.length);
    });

    it('an event name mapped to a kind makes its events touches (with their session campaign)', async () => {
      const data = await app.ok<{ setEventKindMapping: { mapping: { eventName: string; kind: string }; replacedEvents: number } }>(SET_KIND, {
        input: { eventName: 'button clicked', kind: 'OTHER' },
      });
      expect(data.setEventKindMapping).toEqual({ mapping: { eventName: 'button clicked', kind: 'OTHER' }, replacedEvents: 1 });
      // 10:13, 3 minutes after the 10:10 page view (now the fall campaign's)
      const [{ fall }] = (await db.sql<{ fall: string }>(`SELECT id::text AS fall FROM campaigns WHERE name = 'Fall newsletter'`)) as [{ fall: string }];
      expect(await touchAt('10:13')).toEqual([[fall, 'OTHER']]);
    });

    it('refuses other roles and bad input with typed errors naming the field, changing nothing', async () => {
      const before = await eventTouches(db);
      for (const role of [Role.ANALYST, Role.SALES, Role.EXECUTIVE]) {
        expect(firstError(await app.gql(SET_RULE, { input: { medium: 'x', channel: 'EMAIL' } }, role)).code).toBe('FORBIDDEN');
      }
      expect(firstError(await app.gql(SET_MAPPING, { input: { utmCampaign: 'mystery', campaignId: gid('Campaign', '999999') } }))).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.campaignId',
      });
      expect(firstError(await app.gql(SET_MAPPING, { input: { utmCampaign: '   ', campaignId: gid('Campaign', launch) } }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.utmCampaign',
      });
      expect(firstError(await app.gql(SET_RULE, { input: { source: ' ', channel: 'EMAIL' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.source' });
      expect(firstError(await app.gql(SET_RULE, { input: { channel: 'EMAIL' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.medium' });
      expect(firstError(await app.gql(REMOVE_RULE, { input: { medium: 'no-such-medium' } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.medium' });
      expect(await eventTouches(db)).toEqual(before);
      const [mappings] = await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM tracking_utm_campaigns`);
      expect(mappings!.n).toBe(2);
    });
  });
});
