import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch } from '../helpers/core-fixtures';
import { createSource, eventRows, eventTouches, identify, page, processor, storeEvents, track } from './processing-fixtures';

/**
 * Identity stitching (docs/events.md): anonymous events join the lead once the person
 * is identified, in any order of arrival, within the look-back; aliases, groups, email domains.
 * Each test has persons of its own (anonymous ids, emails), so they share one database.
 */
describe('event processing: identity', () => {
  let app: TestApp;
  let source: string;
  let launch: string;
  const site = 'https://www.acme-site.test';
  const launchUrl = `${site}/?utm_campaign=spring-launch`;
  beforeAll(async () => {
    app = await createTestApp();
    source = await createSource(app.db);
    launch = await insertCampaign(app.db, { name: 'Spring launch', channel: 'PAID_SEARCH' });
    await app.db.sql(`UPDATE campaigns SET external_id = 'spring-launch' WHERE id = $1`, [launch]);
  });
  afterAll(() => app.close());

  const store = (events: Parameters<typeof storeEvents>[2]) => storeEvents(app.db, source, events);
  const run = () => processor(app.db, { lookbackDays: 90 }).runOnce();
  const leadOf = async (email: string) =>
    (await app.db.sql<{ id: string; account_id: string | null }>(`SELECT id::text AS id, account_id::text AS account_id FROM leads WHERE lower(email) = lower($1)`, [email]))[0];

  it('stitches earlier page views retroactively when the person identifies, and sends later ones straight to the lead', async () => {
    const pages = await store([
      page('anon-r1', '2026-03-01T09:00:00Z', launchUrl),
      page('anon-r1', '2026-03-01T09:05:00Z', `${site}/pricing`, { referrer: 'https://duckduckgo.com/' }),
    ]);
    await run();
    expect((await eventRows(app.db, pages)).map((r) => [r.outcome, r.lead_id])).toEqual([
      ['ANONYMOUS', null],
      ['ANONYMOUS', null],
    ]);
    expect(await eventTouches(app.db)).toEqual([]);
    await store([identify({ anonymousId: 'anon-r1' }, '2026-03-01T09:10:00Z', { email: 'retro@stitch.test', name: 'Rita Retro' })]);
    const later = await store([page('anon-r1', '2026-03-01T09:20:00Z', launchUrl)]);
    await run();
    const lead = await leadOf('retro@stitch.test');
    expect((await eventRows(app.db, [...pages, ...later])).map((r) => [r.outcome, r.lead_id])).toEqual([
      ['TOUCHPOINT', lead!.id],
      ['TOUCHPOINT', lead!.id],
      ['TOUCHPOINT', lead!.id],
    ]);
    const [named] = await app.db.sql(`SELECT first_name, last_name, stage FROM leads WHERE id = $1`, [lead!.id]);
    expect(named).toEqual({ first_name: 'Rita', last_name: 'Retro', stage: 'NEW' });
    // its stage history starts as createLead's does: NEW at its creation, the identification
    const history = await app.db.sql(`SELECT from_stage, to_stage, changed_at = l.created_at AS at_creation, to_char(l.created_at AT TIME ZONE 'UTC', 'HH24:MI') AS created
                                        FROM lead_stage_changes c JOIN leads l ON l.id = c.lead_id WHERE c.lead_id = $1`, [lead!.id]);
    expect(history).toEqual([{ from_stage: null, to_stage: 'NEW', at_creation: true, created: '09:10' }]);
    expect((await eventTouches(app.db, 'lead_id = $1', [lead!.id])).map((t) => [t.occurred_at, t.kind])).toEqual([
      ['2026-03-01T09:00:00Z', 'AD_CLICK'],
      ['2026-03-01T09:05:00Z', 'WEB_VISIT'],
      ['2026-03-01T09:20:00Z', 'AD_CLICK'],
    ]);
  });

  it('stitches when the identify arrives before earlier-timestamped page views (out of order)', async () => {
    await store([identify({ anonymousId: 'anon-o1', userId: 'user-o1' }, '2026-03-02T12:00:00Z', { email: 'order@stitch.test' })]);
    await run();
    // delivered late (a mobile client's queue): they happened before the identify
    const late = await store([page('anon-o1', '2026-03-02T11:00:00Z', launchUrl), page('anon-o1', '2026-03-02T11:30:00Z', launchUrl)]);
    await run();
    const lead = await leadOf('order@stitch.test');
    expect((await eventRows(app.db, late)).map((r) => [r.outcome, r.lead_id])).toEqual([
      ['TOUCHPOINT', lead!.id],
      ['TOUCHPOINT', lead!.id],
    ]);
    // and the same when both are in one chunk, the identify stored first
    await store([identify({ anonymousId: 'anon-o2' }, '2026-03-02T12:00:00Z', { email: 'order2@stitch.test' }), page('anon-o2', '2026-03-02T11:00:00Z', launchUrl)]);
    await run();
    expect(await eventTouches(app.db, 'lead_id = $1', [(await leadOf('order2@stitch.test'))!.id])).toHaveLength(1);
  });

  it('makes one lead of two anonymous ids identified as the same person (email without case)', async () => {
    await store([
      page('anon-m1', '2026-03-03T08:00:00Z', launchUrl),
      page('anon-m2', '2026-03-03T20:00:00Z', launchUrl),
      identify({ anonymousId: 'anon-m1' }, '2026-03-03T08:30:00Z', { email: 'merge@stitch.test' }),
    ]);
    await run();
    await store([identify({ anonymousId: 'anon-m2' }, '2026-03-03T20:30:00Z', { email: 'MERGE@Stitch.test' })]);
    await run();
    const leads = await app.db.sql(`SELECT id FROM leads WHERE lower(email) = 'merge@stitch.test'`);
    expect(leads).toHaveLength(1);
    expect((await eventTouches(app.db, 'lead_id = $1', [(await leadOf('merge@stitch.test'))!.id])).map((t) => t.occurred_at)).toEqual([
      '2026-03-03T08:00:00Z',
      '2026-03-03T20:00:00Z',
    ]);
  });

  it('finds an existing lead by email and does not change it', async () => {
    const existing = await insertLead(app.db, { email: 'Known@Stitch.test', createdAt: '2025-01-01T00:00:00Z' });
    await store([page('anon-k1', '2026-03-04T08:00:00Z', launchUrl), identify({ anonymousId: 'anon-k1' }, '2026-03-04T08:01:00Z', { email: 'known@stitch.test', firstName: 'Other' })]);
    await run();
    expect(await eventTouches(app.db, 'lead_id = $1', [existing])).toHaveLength(1);
    const [row] = await app.db.sql(`SELECT email, first_name FROM leads WHERE id = $1`, [existing]);
    expect(row).toEqual({ email: 'Known@Stitch.test', first_name: null });
  });

  it('honours the look-back: events more than EVENT_STITCH_LOOKBACK_DAYS before the identification stay anonymous', async () => {
    // identified 2026-06-01T00:00Z; 90 days before is 2026-03-03T00:00Z
    const pages = await store([
      page('anon-l1', '2026-03-02T23:59:00Z', launchUrl),
      page('anon-l1', '2026-03-03T00:00:00Z', launchUrl),
      identify({ anonymousId: 'anon-l1' }, '2026-06-01T00:00:00Z', { email: 'lookback@stitch.test' }),
    ]);
    await run();
    const lead = await leadOf('lookback@stitch.test');
    expect((await eventRows(app.db, pages.slice(0, 2))).map((r) => [r.outcome, r.lead_id])).toEqual([
      ['ANONYMOUS', null],
      ['TOUCHPOINT', lead!.id],
    ]);
    // the same events processed before the identification: the same answer
    const early = await store([page('anon-l2', '2026-03-02T23:59:00Z', launchUrl), page('anon-l2', '2026-03-03T00:00:00Z', launchUrl)]);
    await run();
    await store([identify({ anonymousId: 'anon-l2' }, '2026-06-01T00:00:00Z', { email: 'lookback2@stitch.test' })]);
    await run();
    expect((await eventRows(app.db, early)).map((r) => r.outcome)).toEqual(['ANONYMOUS', 'TOUCHPOINT']);
  });

  it('links the lead to the account of its email domain', async () => {
    const account = await insertAccount(app.db);
    const [{ domain }] = (await app.db.sql<{ domain: string }>(`SELECT domain FROM accounts WHERE id = $1`, [account])) as [{ domain: string }];
    await store([identify({ userId: 'user-d1' }, '2026-03-05T10:00:00Z', { email: `dana@${domain}` })]);
    await run();
    expect((await leadOf(`dana@${domain}`))!.account_id).toBe(account);
  });

  it('honours group: the account by website trait, for the lead now or once identified', async () => {
    const account = await insertAccount(app.db);
    const [{ domain }] = (await app.db.sql<{ domain: string }>(`SELECT domain FROM accounts WHERE id = $1`, [account])) as [{ domain: string }];
    // anonymous group call first (Segment spec example traits), identified later with a free-mail address
    await store([
      { type: 'group', anonymousId: 'anon-g1', groupId: 'g-0001', timestamp: '2026-03-06T10:00:00Z', traits: { name: 'Big Co', website: `https://www.${domain}/about`, industry: 'Technology', employees: 329 } },
    ]);
    await run();
    await store([identify({ anonymousId: 'anon-g1' }, '2026-03-06T10:05:00Z', { email: 'gina@freemail.test' })]);
    await run();
    expect((await leadOf('gina@freemail.test'))!.account_id).toBe(account);
    // an identified person's group call: by the domain trait
    await store([
      identify({ userId: 'user-g2' }, '2026-03-06T11:00:00Z', { email: 'gary@freemail.test' }),
      { type: 'group', userId: 'user-g2', groupId: 'g-0002', timestamp: '2026-03-06T11:01:00Z', traits: { name: 'Big Co', domain: domain.toUpperCase() } },
    ]);
    await run();
    expect((await leadOf('gary@freemail.test'))!.account_id).toBe(account);
  });

  it('honours alias: the previous id is the same person as the userId', async () => {
    const pages = await store([page('anon-a1', '2026-03-07T10:00:00Z', launchUrl)]);
    await run();
    // signed up: alias the anonymous id to the new userId, then a server-side identify (no anonymousId)
    await store([
      { type: 'alias', previousId: 'anon-a1', userId: 'user-a1', timestamp: '2026-03-07T10:10:00Z' },
      identify({ userId: 'user-a1' }, '2026-03-07T10:11:00Z', { email: 'alias@stitch.test' }),
    ]);
    await run();
    expect((await eventRows(app.db, pages))[0]!.lead_id).toBe((await leadOf('alias@stitch.test'))!.id);
    // a userId aliased to another: events of either go to the same lead
    const more = await store([
      { type: 'alias', previousId: 'user-a1', userId: 'user-a1-new', timestamp: '2026-03-07T11:00:00Z' },
    ]);
    await run();
    const next = await store([track({ userId: 'user-a1-new' }, '2026-03-07T11:05:00Z', 'Webinar Attended', { campaign: { name: 'spring-launch' } })]);
    await run();
    expect(more).toHaveLength(1);
    expect((await eventRows(app.db, next)).map((r) => [r.outcome, r.lead_id])).toEqual([['TOUCHPOINT', (await leadOf('alias@stitch.test'))!.id]]);
  });

  it('takes the email from a track event traits (context.traits)', async () => {
    const ids = await store([
      page('anon-t1', '2026-03-08T10:00:00Z', launchUrl),
      track({ anonymousId: 'anon-t1' }, '2026-03-08T10:02:00Z', 'Form Submitted', { traits: { email: 'form@stitch.test' }, url: `${site}/contact` }),
    ]);
    await run();
    const lead = await leadOf('form@stitch.test');
    // the form fill has no campaign data of its own: the session's (the page 2 minutes before)
    expect((await eventRows(app.db, ids)).map((r) => [r.outcome, r.lead_id, r.campaign_id, r.touch_kind])).toEqual([
      ['TOUCHPOINT', lead!.id, launch, 'AD_CLICK'],
      ['TOUCHPOINT', lead!.id, launch, 'FORM_FILL'],
    ]);
  });

  it('keeps first-touch attribution exact as stitching moves the first touch earlier', async () => {
    // an account with a lead that touched the webinar campaign on 03-04; a deal of 1000.00 won 03-20
    const webinar = await insertCampaign(app.db, { name: 'Webinar', channel: 'WEBINAR' });
    const account = await insertAccount(app.db);
    const [{ domain }] = (await app.db.sql<{ domain: string }>(`SELECT domain FROM accounts WHERE id = $1`, [account])) as [{ domain: string }];
    const buyer = await insertLead(app.db, { email: `buyer@${domain}`, accountId: account, createdAt: '2026-01-01T00:00:00Z' });
    await insertTouch(app.db, buyer, webinar, '2026-04-04T00:00:00Z', 'WEBINAR_ATTENDED');
    await insertOpportunity(app.db, { accountId: account, amount: '1000.00', stage: 'CLOSED_WON', createdAt: '2026-04-10T00:00:00Z', closedAt: '2026-04-20T00:00:00Z' });
    const firstTouch = async () => {
      const data = await app.ok<{ campaignPerformance: { rows: { campaign: { id: string }; attributedRevenue: string }[] } }>(
        `query($input: CampaignPerformanceInput!) { campaignPerformance(input: $input) { rows { campaign { id } attributedRevenue } } }`,
        { input: { window: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' }, model: 'FIRST_TOUCH', campaignIds: [gid('Campaign', launch), gid('Campaign', webinar)] } },
      );
      return Object.fromEntries(data.campaignPerformance.rows.map((r) => [r.campaign.id, r.attributedRevenue]));
    };
    // a colleague's anonymous click on the launch campaign on 04-01: no one's touch yet
    await store([page('anon-f1', '2026-04-01T09:00:00Z', launchUrl)]);
    await run();
    // (a campaign without touches in the window has no row)
    expect(await firstTouch()).toEqual({ [gid('Campaign', webinar)]: '1000.00' });
    // identified on 04-05 by an address at the account's domain: the launch click is the account's first touch
    await store([identify({ anonymousId: 'anon-f1' }, '2026-04-05T09:00:00Z', { email: `colleague@${domain}` })]);
    await run();
    expect(await firstTouch()).toEqual({ [gid('Campaign', webinar)]: '0.00', [gid('Campaign', launch)]: '1000.00' });
    // the cache the triggers kept is the one a rebuild from the touches makes
    const cache = () => app.db.sql(`SELECT to_jsonb(m) AS row FROM attribution_monthly m ORDER BY m::text`);
    const kept = await cache();
    expect(kept.length).toBeGreaterThan(0);
    await app.db.sql(`SELECT attribution_cache_rebuild()`);
    expect(await cache()).toEqual(kept);
  });
});
