import { Analytics } from '@segment/analytics-node';
import { Role } from '../../src/auth/roles';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';

/*
 * Web events end to end (docs/events.md), through the real HTTP server (startHttpApp: the
 * server of src/http/server.ts with its EventProcessor running, woken by the intake) and the
 * official client, @segment/analytics-node. A visitor browses anonymously, identifies, browses
 * on; the company then wins a deal at the visitor's account. Everything is set up and read
 * over GraphQL, as a user would.
 *
 * Campaigns (created in this order, so their ids increase in it):
 *   spring-launch       PAID_SEARCH  (externalId 'spring-launch')
 *   nurture-newsletter  EMAIL        (externalId 'nurture-newsletter')
 *   web:ORGANIC         ORGANIC      the catch-all the processing creates for the search-engine visit
 * Account: Acme, domain acme.example. The visitor identifies as Jane.Doe@Acme.example.
 *
 * The visitor's stream (anonymousId 'anon-jane'; sent with explicit timestamps):
 *   P0 2025-12-15T10:00Z  newsletter UTMs                 -> WEB_VISIT  nurture-newsletter
 *   P1 2026-03-02T09:00Z  google / cpc / spring-launch    -> AD_CLICK   spring-launch (a PAID_SEARCH campaign)
 *   P2 2026-03-05T14:00Z  referrer www.google.com, no UTM -> WEB_VISIT  web:ORGANIC (REFERRER rule)
 *   P3 2026-03-09T10:00Z  newsletter UTMs                 -> WEB_VISIT  nurture-newsletter
 *   -- flushed, processed: four anonymous events, no lead, no touchpoint yet --
 *   ID 2026-03-12T16:00Z  identify(userId, email at acme.example): the lead, created then, at Acme
 *   P4 2026-03-25T11:00Z  spring-launch again (with a gclid)  -> AD_CLICK spring-launch
 *   P5 2026-04-02T15:00Z  newsletter UTMs                 -> WEB_VISIT  nurture-newsletter
 *   P6 2026-04-20T09:00Z  spring-launch, utm_term "revenue attribution" -> AD_CLICK spring-launch
 * P0 to P3 are stitched retroactively (P0 is 87.25 days before the identification, inside the
 * 90-day EVENT_STITCH_LOOKBACK_DAYS); P4 to P6 go to the lead at once. 7 touchpoints.
 *
 * The deal: 1000.01, NEW_BUSINESS at Acme, created 2026-03-20T00:00Z, won 2026-04-10T00:00Z.
 * Journeys (docs/metrics.md, Attribution; lookbackDays 90): the touches of the account's leads with
 * createdAt - 90 days (2025-12-20T00:00Z) <= occurredAt <= end.
 *   P0 (2025-12-15) is before the lookback: in no journey (but it is the lead's first touch).
 *   Pipeline, end = createdAt 03-20: P1 SL, P2 ORG, P3 NL            (n = 3)
 *   Revenue,  end = closedAt 04-10:  P1 SL, P2 ORG, P3 NL, P4 SL, P5 NL (n = 5); P6 is after the close.
 */

const SITE = 'https://www.vendor.example';
const WINDOW = { from: '2026-03-01T00:00:00Z', to: '2026-05-01T00:00:00Z' };
const HEALTH_WINDOW = { from: '2025-12-01T00:00:00Z', to: '2026-05-01T00:00:00Z' };
const EMAIL = 'Jane.Doe@Acme.example';
const ANON = 'anon-jane';
const USER_ID = 'usr_8812';

const T = {
  p0: '2025-12-15T10:00:00.000Z',
  p1: '2026-03-02T09:00:00.000Z',
  p2: '2026-03-05T14:00:00.000Z',
  p3: '2026-03-09T10:00:00.000Z',
  identify: '2026-03-12T16:00:00.000Z',
  p4: '2026-03-25T11:00:00.000Z',
  p5: '2026-04-02T15:00:00.000Z',
  p6: '2026-04-20T09:00:00.000Z',
};
const URLS = {
  newsletter: `${SITE}/blog/pipeline-math?utm_source=newsletter&utm_medium=email&utm_campaign=nurture-newsletter&utm_content=december-issue`,
  launch: `${SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=spring-launch`,
  launchClick: `${SITE}/demo?utm_source=google&utm_medium=cpc&utm_campaign=spring-launch&gclid=EAIaIQobChMI8a`,
  launchTerm: `${SITE}/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring-launch&utm_term=revenue+attribution`,
  organic: `${SITE}/guides/attribution-models`,
};

let api: HttpTestApp;
let revOps: string;
/** The largest gap between an event's timestamp and its stored time (Segment's clock-skew rule, see below). */
let maxSkewMs = 0;

async function ok<D>(query: string, variables: Record<string, unknown> = {}, key?: string): Promise<D> {
  const response = await api.gql<D>(query, variables, key === undefined ? {} : { key });
  if (response.status !== 200 || response.body.errors?.length || !response.body.data) {
    throw new Error(`GraphQL ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.data;
}

/** Reads until `done` holds, every 50 ms, failing after `ms` with the last value read. */
async function until<V>(what: string, read: () => Promise<V>, done: (v: V) => boolean, ms = 30_000): Promise<V> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last read: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Health {
  events: number;
  outcomes: { outcome: string; events: number }[];
  unknownUtmCampaigns: { value: string }[];
  unknownSourceMedia: { source: string | null; medium: string | null }[];
  anonymousIds: number;
  anonymousIdEvents: number;
  anonymousTouches: number;
  backlog: number;
}
const health = async () =>
  (
    await ok<{ trackingHealth: Health }>(
      `query($input: TrackingHealthInput!) { trackingHealth(input: $input) {
        events outcomes { outcome events } unknownUtmCampaigns { value } unknownSourceMedia { source medium }
        anonymousIds anonymousIdEvents anonymousTouches backlog } }`,
      { input: { window: HEALTH_WINDOW } },
    )
  ).trackingHealth;

/**
 * Whether `events` events are stored and none is pending (the report reads all its figures from
 * one snapshot): once this holds, the processing is done.
 */
const processedAll = (events: number) => (h: Health) => h.events === events && h.backlog === 0 && !h.outcomes.some((o) => o.outcome === 'PENDING');

/**
 * The client sends `timestamp` per event and `sentAt` per batch; the stored time is
 * receivedAt - (sentAt - timestamp): the timestamp plus the batch's time in flight, which is at
 * least 0 (sentAt is truncated to the millisecond, the same clock) and at most the time the
 * client took to deliver it.
 */
function expectAt(actual: string, timestamp: string) {
  const skew = Date.parse(actual) - Date.parse(timestamp);
  if (!(skew >= 0 && skew <= maxSkewMs)) throw new Error(`stored at ${actual} for the timestamp ${timestamp}: ${skew} ms off, not within [0, ${maxSkewMs}]`);
}

beforeAll(async () => {
  api = await startHttpApp();
  revOps = (await api.newKey(Role.REVENUE_OPS)).secret;
});
afterAll(() => api.close());

interface CampaignRef {
  externalId: string;
  channel: string;
}
interface LeadView {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  stage: string;
  createdAt: string;
  account: { id: string; domain: string } | null;
  touchpoints: { totalCount: number; edges: { node: { kind: string; occurredAt: string; externalId: string; campaign: CampaignRef } }[] };
  firstTouchUtm: Record<string, string | null> | null;
  latestTouchUtm: Record<string, string | null> | null;
}
const UTM = 'campaign source medium term content occurredAt';
const LEAD = `query($email: String!) { leadByEmail(email: $email) {
  id email firstName lastName stage createdAt account { id domain }
  touchpoints(first: 50) { totalCount edges { node { kind occurredAt externalId campaign { externalId channel } } } }
  firstTouchUtm { ${UTM} } latestTouchUtm { ${UTM} } } }`;

it('turns page views and an identify sent by @segment/analytics-node into the touchpoints and attribution a user expects', async () => {
  // --- setup over GraphQL: a write key (ADMIN), campaigns and the account (REVENUE_OPS)
  const { createEventSource } = await ok<{ createEventSource: { writeKey: string; eventSource: { id: string } } }>(
    `mutation { createEventSource(input: { name: "website" }) { writeKey eventSource { id } } }`,
  );
  const campaign = async (name: string, channel: string, externalId: string, startsOn: string) =>
    (
      await ok<{ createCampaign: { campaign: { id: string } } }>(
        `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }`,
        { input: { name, channel, externalId, ownerTeam: 'MARKETING', startsOn } },
        revOps,
      )
    ).createCampaign.campaign.id;
  const launch = await campaign('Spring launch', 'PAID_SEARCH', 'spring-launch', '2026-03-01');
  const newsletter = await campaign('Nurture newsletter', 'EMAIL', 'nurture-newsletter', '2025-12-01');
  const { createAccount } = await ok<{ createAccount: { account: { id: string } } }>(
    `mutation { createAccount(input: { name: "Acme", domain: "acme.example", segment: MID_MARKET }) { account { id } } }`,
    {},
    revOps,
  );
  const acme = createAccount.account.id;

  // --- the stream, through the official client pointed at the server as docs/events.md says
  const analytics = new Analytics({ writeKey: createEventSource.writeKey, host: new URL(api.url).origin, path: '/v1/batch', flushAt: 2, maxRetries: 2 });
  const failures: unknown[] = [];
  analytics.on('error', (error) => failures.push(error));
  const pageView = (timestamp: string, url: string, extra: { referrer?: string; userId?: string } = {}) => {
    const u = new URL(url);
    analytics.page({
      anonymousId: ANON,
      ...(extra.userId ? { userId: extra.userId } : {}),
      name: u.pathname,
      timestamp: new Date(timestamp),
      properties: { url, path: u.pathname, search: u.search, ...(extra.referrer ? { referrer: extra.referrer } : {}) },
    });
  };

  let sending = Date.now();
  pageView(T.p0, URLS.newsletter);
  pageView(T.p1, URLS.launch);
  pageView(T.p2, URLS.organic, { referrer: 'https://www.google.com/' });
  pageView(T.p3, URLS.newsletter);
  await analytics.flush({ timeout: 30_000 });
  maxSkewMs = Math.max(maxSkewMs, Date.now() - sending + 1);
  expect(failures).toEqual([]);

  // processed while anonymous: four would-be touches of one anonymous id, every UTM value known
  await until('the anonymous page views to be processed', health, processedAll(4));
  expect(await health()).toEqual({
    events: 4,
    outcomes: [{ outcome: 'ANONYMOUS', events: 4 }],
    unknownUtmCampaigns: [],
    unknownSourceMedia: [],
    anonymousIds: 1,
    anonymousIdEvents: 4,
    anonymousTouches: 4,
    backlog: 0,
  });
  expect(await ok<{ leadByEmail: unknown }>(LEAD, { email: EMAIL })).toEqual({ leadByEmail: null });

  sending = Date.now();
  analytics.identify({ anonymousId: ANON, userId: USER_ID, timestamp: new Date(T.identify), traits: { email: EMAIL, firstName: 'Jane', lastName: 'Doe', title: 'VP Revenue' } });
  pageView(T.p4, URLS.launchClick, { userId: USER_ID });
  pageView(T.p5, URLS.newsletter, { userId: USER_ID });
  pageView(T.p6, URLS.launchTerm, { userId: USER_ID });
  await analytics.closeAndFlush({ timeout: 30_000 });
  maxSkewMs = Math.max(maxSkewMs, Date.now() - sending + 1);
  expect(failures).toEqual([]);

  // every event processed: 7 touchpoints and the identify; nobody anonymous is left
  await until('all eight events to be processed', health, processedAll(8));
  expect(await health()).toEqual({
    events: 8,
    outcomes: [
      { outcome: 'TOUCHPOINT', events: 7 },
      { outcome: 'IDENTITY', events: 1 },
    ],
    unknownUtmCampaigns: [],
    unknownSourceMedia: [],
    anonymousIds: 0,
    anonymousIdEvents: 0,
    anonymousTouches: 0,
    backlog: 0,
  });

  // --- the lead: created at the identification, at the account of its email's domain
  const { leadByEmail: lead } = await ok<{ leadByEmail: LeadView | null }>(LEAD, { email: EMAIL });
  expect(lead).not.toBeNull();
  expect([lead!.email, lead!.firstName, lead!.lastName, lead!.stage, lead!.account]).toEqual([EMAIL, 'Jane', 'Doe', 'NEW', { id: acme, domain: 'acme.example' }]);
  expectAt(lead!.createdAt, T.identify);

  // its touchpoints: the four anonymous views stitched retroactively, the three later ones at once
  const touches = lead!.touchpoints.edges.map((e) => e.node).sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  expect(lead!.touchpoints.totalCount).toBe(7);
  expect(touches.map((t) => [t.kind, t.campaign.externalId, t.campaign.channel])).toEqual([
    ['WEB_VISIT', 'nurture-newsletter', 'EMAIL'], // P0
    ['AD_CLICK', 'spring-launch', 'PAID_SEARCH'], // P1: placed on a PAID_SEARCH campaign by its utm_campaign
    ['WEB_VISIT', 'web:ORGANIC', 'ORGANIC'], // P2: a search engine's referrer, the channel's catch-all
    ['WEB_VISIT', 'nurture-newsletter', 'EMAIL'], // P3
    ['AD_CLICK', 'spring-launch', 'PAID_SEARCH'], // P4
    ['WEB_VISIT', 'nurture-newsletter', 'EMAIL'], // P5
    ['AD_CLICK', 'spring-launch', 'PAID_SEARCH'], // P6
  ]);
  [T.p0, T.p1, T.p2, T.p3, T.p4, T.p5, T.p6].forEach((at, i) => expectAt(touches[i]!.occurredAt, at));
  // made from events: external id event:<source id>:<messageId>
  for (const t of touches) expect(t.externalId).toMatch(/^event:\d+:.+/);

  // first and latest touch UTMs: P0 (stitched, before the identify) and P6; P2 carries none
  const { occurredAt: firstAt, ...first } = lead!.firstTouchUtm!;
  const { occurredAt: latestAt, ...latest } = lead!.latestTouchUtm!;
  expect(first).toEqual({ campaign: 'nurture-newsletter', source: 'newsletter', medium: 'email', term: null, content: 'december-issue' });
  expectAt(firstAt!, T.p0);
  expect(latest).toEqual({ campaign: 'spring-launch', source: 'google', medium: 'cpc', term: 'revenue attribution', content: null });
  expectAt(latestAt!, T.p6);

  // --- the deal, as REVENUE_OPS (back-dated): created 03-20, won 04-10
  const { createOpportunity } = await ok<{ createOpportunity: { opportunity: { id: string } } }>(
    `mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: "Acme - platform", kind: NEW_BUSINESS, amount: "1000.01", createdAt: "2026-03-20T00:00:00Z" }) { opportunity { id } } }`,
    { a: acme },
    revOps,
  );
  const deal = createOpportunity.opportunity.id;
  const { moveOpportunityStage } = await ok<{ moveOpportunityStage: { opportunity: { stage: string; closedAt: string } } }>(
    `mutation($id: ID!) { moveOpportunityStage(input: { opportunityId: $id, stage: CLOSED_WON, at: "2026-04-10T00:00:00Z" }) { opportunity { stage closedAt } } }`,
    { id: deal },
    revOps,
  );
  expect(moveOpportunityStage.opportunity).toEqual({ stage: 'CLOSED_WON', closedAt: '2026-04-10T00:00:00.000Z' });

  // --- attribution over GraphQL, window March-April 2026 (holds the creation and the close)
  interface Row { campaign: { id: string; externalId: string; channel: string }; touches: number; leadsSourced: number; attributedPipeline: string; attributedRevenue: string }
  const performance = async (model: string) =>
    (
      await ok<{ campaignPerformance: { rows: Row[]; unattributedPipeline: string; unattributedRevenue: string; totalPipeline: string; totalRevenue: string } }>(
        `query($input: CampaignPerformanceInput!) { campaignPerformance(input: $input) {
          rows { campaign { id externalId channel } touches leadsSourced attributedPipeline attributedRevenue }
          unattributedPipeline unattributedRevenue totalPipeline totalRevenue } }`,
        { input: { window: WINDOW, model } },
      )
    ).campaignPerformance;
  const credits = (report: Awaited<ReturnType<typeof performance>>) =>
    report.rows.map((r) => [r.campaign.externalId, r.attributedPipeline, r.attributedRevenue]);

  const firstTouch = await performance('FIRST_TOUCH');
  // rows by campaign id: the two created here, then the catch-all the processing created
  expect(firstTouch.rows.map((r) => r.campaign.id).slice(0, 2)).toEqual([launch, newsletter]);
  // touches in the window: SL P1, P4, P6; NL P3, P5; ORG P2. No lead sourced in it: the lead's
  // first touch ever is P0 (2025-12-15), stitched from before the window.
  expect(firstTouch.rows.map((r) => [r.campaign.externalId, r.campaign.channel, r.touches, r.leadsSourced])).toEqual([
    ['spring-launch', 'PAID_SEARCH', 3, 0],
    ['nurture-newsletter', 'EMAIL', 2, 0],
    ['web:ORGANIC', 'ORGANIC', 1, 0],
  ]);
  expect([firstTouch.totalPipeline, firstTouch.totalRevenue, firstTouch.unattributedPipeline, firstTouch.unattributedRevenue]).toEqual([
    '1000.01',
    '1000.01',
    '0.00',
    '0.00',
  ]);
  // FIRST_TOUCH: the first touch of each journey is P1 (P0 is before the lookback): all to spring-launch
  expect(credits(firstTouch)).toEqual([
    ['spring-launch', '1000.01', '1000.01'],
    ['nurture-newsletter', '0.00', '0.00'],
    ['web:ORGANIC', '0.00', '0.00'],
  ]);
  // LAST_TOUCH: pipeline's last touch is P3 (newsletter); revenue's is P5 (newsletter), P6 being after the close
  expect(credits(await performance('LAST_TOUCH'))).toEqual([
    ['spring-launch', '0.00', '0.00'],
    ['nurture-newsletter', '1000.01', '1000.01'],
    ['web:ORGANIC', '0.00', '0.00'],
  ]);
  // LINEAR, pipeline: 1000.01 / 3 = 333.33666... each; floors 333.33 x 3 = 999.99, 2 cents missing,
  //   equal remainders: to the lowest campaign ids, spring-launch and nurture-newsletter.
  // LINEAR, revenue: 1000.01 / 5 = 200.002 a touch; SL 2 touches 400.004, NL 2 touches 400.004,
  //   ORG 1 touch 200.002; floors 400.00 + 400.00 + 200.00 = 1000.00, 1 cent missing; SL and NL tie
  //   (0.004): to the lowest id, spring-launch.
  expect(credits(await performance('LINEAR'))).toEqual([
    ['spring-launch', '333.34', '400.01'],
    ['nurture-newsletter', '333.34', '400.00'],
    ['web:ORGANIC', '333.33', '200.00'],
  ]);
  // channels: the sums of the rounded campaign credits, by channel name
  const { channelPerformance } = await ok<{ channelPerformance: { rows: { channel: string; attributedPipeline: string; attributedRevenue: string }[] } }>(
    `query($input: ChannelPerformanceInput!) { channelPerformance(input: $input) { rows { channel attributedPipeline attributedRevenue } } }`,
    { input: { window: WINDOW, model: 'LINEAR' } },
  );
  expect(channelPerformance.rows).toEqual([
    { channel: 'EMAIL', attributedPipeline: '333.34', attributedRevenue: '400.00' },
    { channel: 'ORGANIC', attributedPipeline: '333.33', attributedRevenue: '200.00' },
    { channel: 'PAID_SEARCH', attributedPipeline: '333.34', attributedRevenue: '400.01' },
  ]);

  // --- the deal's revenue journey touch by touch (LINEAR): P1..P5, weight 1/5 each. Roles: P1 first;
  // P3 the last touch at or before the creation; P5 last and close; no lead conversion (no mqlAt).
  // Cents: campaigns as above (SL 400.01, NL 400.00, ORG 200.00), then each campaign's among its
  // touches: SL 200.002 + 200.002 -> 200.00 + 200.00, the missing cent to the earlier touch (P1).
  const { opportunity } = await ok<{
    opportunity: {
      attribution: {
        amount: string;
        journeyEnd: string;
        unattributed: string;
        touches: { position: number; occurredAt: string; campaign: { externalId: string }; roles: string[]; weight: string; credit: string }[];
        campaigns: { campaign: { externalId: string }; credit: string }[];
      };
    };
  }>(
    `query($id: ID!) { opportunity(id: $id) { attribution(model: LINEAR) {
      amount journeyEnd unattributed
      touches { position occurredAt campaign { externalId } roles weight credit }
      campaigns { campaign { externalId } credit } } } }`,
    { id: deal },
  );
  const journey = opportunity.attribution;
  expect([journey.amount, journey.journeyEnd, journey.unattributed]).toEqual(['1000.01', '2026-04-10T00:00:00.000Z', '0.00']);
  expect(journey.touches.map((t) => [t.position, t.campaign.externalId, [...t.roles].sort(), Number(t.weight), t.credit])).toEqual([
    [1, 'spring-launch', ['FIRST'], 0.2, '200.01'],
    [2, 'web:ORGANIC', [], 0.2, '200.00'],
    [3, 'nurture-newsletter', ['OPPORTUNITY_CREATION'], 0.2, '200.00'],
    [4, 'spring-launch', [], 0.2, '200.00'],
    [5, 'nurture-newsletter', ['CLOSE', 'LAST'], 0.2, '200.00'],
  ]);
  [T.p1, T.p2, T.p3, T.p4, T.p5].forEach((at, i) => expectAt(journey.touches[i]!.occurredAt, at));
  expect(journey.campaigns.map((c) => [c.campaign.externalId, c.credit])).toEqual([
    ['spring-launch', '400.01'],
    ['nurture-newsletter', '400.00'],
    ['web:ORGANIC', '200.00'],
  ]);
});
