import { createTestApp, TestApp } from '../helpers/app';
import { countRows, firstError, gid, insertCampaign, insertLead, insertTouch } from '../helpers/core-fixtures';

const CAMPAIGN_FIELDS = 'id name channel ownerTeam startsOn endsOn budget externalId createdAt version';
const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { ${CAMPAIGN_FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) { campaign { ${CAMPAIGN_FIELDS} } } }`;
const SPEND = `mutation($input: RecordSpendInput!) { recordSpend(input: $input) { spend { id spentOn amount externalId campaign { name } } } }`;
const TOUCH = `mutation($input: RecordTouchpointInput!) { recordTouchpoint(input: $input) {
  touchpoint { id kind occurredAt externalId lead { email } campaign { name } } } }`;

interface CampaignNode {
  id: string;
  name: string;
  startsOn: string;
  endsOn: string | null;
  budget: string | null;
  createdAt: string;
  version: number;
}

describe('campaigns, spend and touchpoints', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  const create = async (input: Record<string, unknown>) =>
    (await app.ok<{ createCampaign: { campaign: CampaignNode } }>(CREATE, { input })).createCampaign.campaign;
  const base = { name: 'Spring Webinar', channel: 'WEBINAR', ownerTeam: 'MARKETING', startsOn: '2024-03-01' };

  describe('createCampaign and updateCampaign', () => {
    it('creates a campaign with dates, budget and a back-dated createdAt', async () => {
      const campaign = await create({ ...base, endsOn: '2024-03-31', budget: '15000.5', externalId: 'mkt-1', createdAt: '2024-02-01T08:00:00.000Z' });
      expect(campaign).toEqual({
        id: expect.any(String),
        name: 'Spring Webinar',
        channel: 'WEBINAR',
        ownerTeam: 'MARKETING',
        startsOn: '2024-03-01',
        endsOn: '2024-03-31',
        budget: '15000.50',
        externalId: 'mkt-1',
        createdAt: '2024-02-01T08:00:00.000Z',
        version: 1,
      });
      const before = Date.now();
      const now = await create({ ...base, name: 'Open-ended' });
      expect(now.endsOn).toBeNull();
      expect(Date.parse(now.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(now.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it.each([
      [{ endsOn: '2024-02-29' }, 'BAD_USER_INPUT', 'input.endsOn', /must not be before startsOn/],
      [{ budget: '-1.00' }, 'BAD_USER_INPUT', 'input.budget', /must not be negative/],
      [{ name: '   ' }, 'BAD_USER_INPUT', 'input.name', /must not be blank/],
      [{ externalId: 'mkt-1' }, 'CONFLICT', 'input.externalId', /already taken/],
      [{ createdAt: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.createdAt', /cannot be in the future/],
    ])('refuses %j naming the field and creates nothing', async (bad, code, field, message) => {
      const before = await countRows(app.db, 'campaigns');
      const result = await app.gql(CREATE, { input: { ...base, ...bad } });
      expect(firstError(result)).toEqual({ code, field, message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: .*${message.source}`)) });
      expect(await countRows(app.db, 'campaigns')).toBe(before);
    });

    it('refuses a malformed day or an unknown channel in the query itself', async () => {
      const badDay = await app.gql(`mutation { createCampaign(input: { name: "x", channel: EMAIL, ownerTeam: SALES, startsOn: "2024-02-30" }) { campaign { id } } }`);
      expect(firstError(badDay)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringMatching(/LocalDate/) });
      const badChannel = await app.gql(`mutation { createCampaign(input: { name: "x", channel: BILLBOARD, ownerTeam: SALES, startsOn: "2024-02-01" }) { campaign { id } } }`);
      expect(firstError(badChannel)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringMatching(/"BILLBOARD" does not exist in "Channel" enum/) });
    });

    it('changes the given fields, clears endsOn and budget with null, and bumps the version', async () => {
      const campaign = await create({ ...base, name: 'To change', endsOn: '2024-03-10', budget: '100' });
      const { updateCampaign } = await app.ok<{ updateCampaign: { campaign: CampaignNode } }>(UPDATE, {
        input: { id: campaign.id, version: 1, name: 'Changed', channel: 'EVENT', ownerTeam: 'SALES', endsOn: null, budget: null },
      });
      expect(updateCampaign.campaign).toMatchObject({ name: 'Changed', channel: 'EVENT', ownerTeam: 'SALES', startsOn: '2024-03-01', endsOn: null, budget: null, version: 2 });
    });

    it.each([
      [{ name: null }, 'BAD_USER_INPUT', 'input.name'],
      [{ name: ' ' }, 'BAD_USER_INPUT', 'input.name'],
      [{ channel: null }, 'BAD_USER_INPUT', 'input.channel'],
      [{ startsOn: '2024-04-01' }, 'BAD_USER_INPUT', 'input.endsOn'],
      [{ budget: '-3' }, 'BAD_USER_INPUT', 'input.budget'],
      [{ version: 5 }, 'CONFLICT', 'input.version'],
    ])('refuses %j naming the field and changes nothing', async (bad, code, field) => {
      const id = await insertCampaign(app.db, { name: 'Victim', startsOn: '2024-03-01', endsOn: '2024-03-31' });
      const result = await app.gql(UPDATE, { input: { id: gid('Campaign', id), ...bad } });
      expect(firstError(result)).toMatchObject({ code, field });
      const [row] = await app.db.sql(`SELECT name, channel, starts_on, version FROM campaigns WHERE id = $1`, [id]);
      expect(row).toEqual({ name: 'Victim', channel: 'EMAIL', starts_on: '2024-03-01', version: 1 });
    });

    it('refuses an unknown campaign and an id of another type', async () => {
      expect(firstError(await app.gql(UPDATE, { input: { id: gid('Campaign', 765432), name: 'x' } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.id' });
      expect(firstError(await app.gql(UPDATE, { input: { id: gid('Lead', 1), name: 'x' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.id' });
    });
  });

  describe('recordSpend and recordTouchpoint', () => {
    let campaignId: string;
    let leadId: string;
    beforeAll(async () => {
      campaignId = await insertCampaign(app.db, { name: 'Spendy', channel: 'PAID_SEARCH' });
      leadId = await insertLead(app.db, { email: 'toucher@prospect.test', createdAt: '2024-01-01T00:00:00Z' });
    });

    it('records spend on a day, in cents', async () => {
      const { recordSpend } = await app.ok<{ recordSpend: { spend: Record<string, unknown> } }>(SPEND, {
        input: { campaignId: gid('Campaign', campaignId), spentOn: '2024-03-05', amount: '1250.5', externalId: 'sp-1' },
      });
      expect(recordSpend.spend).toEqual({ id: expect.any(String), spentOn: '2024-03-05', amount: '1250.50', externalId: 'sp-1', campaign: { name: 'Spendy' } });
      const [row] = await app.db.sql(`SELECT spent_on, amount FROM campaign_spend WHERE external_id = 'sp-1'`);
      expect(row).toEqual({ spent_on: '2024-03-05', amount: '1250.50' });
    });

    it.each([
      [{ amount: '-0.01' }, 'BAD_USER_INPUT', 'input.amount'],
      [{ campaignId: gid('Campaign', 999999) }, 'NOT_FOUND', 'input.campaignId'],
      [{ campaignId: gid('Lead', 1) }, 'BAD_USER_INPUT', 'input.campaignId'],
      [{ externalId: 'sp-1' }, 'CONFLICT', 'input.externalId'],
    ])('refuses spend %j naming the field and records nothing', async (bad, code, field) => {
      const before = await countRows(app.db, 'campaign_spend');
      const result = await app.gql(SPEND, { input: { campaignId: gid('Campaign', campaignId), spentOn: '2024-03-06', amount: '10', ...bad } });
      expect(firstError(result)).toMatchObject({ code, field });
      expect(await countRows(app.db, 'campaign_spend')).toBe(before);
    });

    it('refuses money that is not a decimal of cents', async () => {
      const result = await app.gql(`mutation { recordSpend(input: { campaignId: "${gid('Campaign', campaignId)}", spentOn: "2024-03-06", amount: "12.345" }) { spend { id } } }`);
      expect(firstError(result)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringMatching(/Money must be a decimal string/) });
    });

    it('records a touchpoint at a back-dated time, or now', async () => {
      const input = { leadId: gid('Lead', leadId), campaignId: gid('Campaign', campaignId), kind: 'AD_CLICK' };
      const dated = await app.ok<{ recordTouchpoint: { touchpoint: Record<string, unknown> } }>(TOUCH, {
        input: { ...input, occurredAt: '2024-03-07T12:30:00.000Z', externalId: 'tp-1' },
      });
      expect(dated.recordTouchpoint.touchpoint).toEqual({
        id: expect.any(String),
        kind: 'AD_CLICK',
        occurredAt: '2024-03-07T12:30:00.000Z',
        externalId: 'tp-1',
        lead: { email: 'toucher@prospect.test' },
        campaign: { name: 'Spendy' },
      });
      const before = Date.now();
      const now = await app.ok<{ recordTouchpoint: { touchpoint: { occurredAt: string } } }>(TOUCH, { input });
      expect(Date.parse(now.recordTouchpoint.touchpoint.occurredAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(now.recordTouchpoint.touchpoint.occurredAt)).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it.each([
      [{ leadId: gid('Lead', 888888) }, 'NOT_FOUND', 'input.leadId'],
      [{ campaignId: gid('Campaign', 888888) }, 'NOT_FOUND', 'input.campaignId'],
      [{ leadId: gid('Campaign', 1) }, 'BAD_USER_INPUT', 'input.leadId'],
      [{ occurredAt: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.occurredAt'],
      [{ externalId: 'tp-1' }, 'CONFLICT', 'input.externalId'],
    ])('refuses a touchpoint %j naming the field and records nothing', async (bad, code, field) => {
      const before = await countRows(app.db, 'touchpoints');
      const result = await app.gql(TOUCH, { input: { leadId: gid('Lead', leadId), campaignId: gid('Campaign', campaignId), kind: 'CALL', ...bad } });
      expect(firstError(result)).toMatchObject({ code, field });
      expect(await countRows(app.db, 'touchpoints')).toBe(before);
    });
  });

  describe('queries', () => {
    let ids: Record<string, string>;
    beforeAll(async () => {
      ids = {
        a: await insertCampaign(app.db, { name: 'Q-A search', channel: 'PAID_SEARCH', ownerTeam: 'MARKETING', startsOn: '2024-03-01', endsOn: '2024-03-31' }),
        b: await insertCampaign(app.db, { name: 'Q-B outbound', channel: 'OUTBOUND', ownerTeam: 'SALES', startsOn: '2024-03-15' }),
        c: await insertCampaign(app.db, { name: 'Q-C event', channel: 'EVENT', ownerTeam: 'MARKETING', startsOn: '2024-02-01', endsOn: '2024-04-30' }),
      };
    });
    const names = async (args: string) =>
      (await app.ok<{ campaigns: { edges: { node: { name: string } }[] } }>(`{ campaigns(filter: { search: "Q-" ${args} }) { edges { node { name } } } }`))
        .campaigns.edges.map((e) => e.node.name.slice(0, 3));
    const ordered = async (orderBy: string) =>
      (await app.ok<{ campaigns: { edges: { node: { name: string } }[] } }>(`{ campaigns(filter: { search: "Q-" }, orderBy: ${orderBy}) { edges { node { name } } } }`))
        .campaigns.edges.map((e) => e.node.name.slice(0, 3));

    it('filters by channel, owner team and the day they run (first and last day included)', async () => {
      expect(await names('')).toEqual(['Q-A', 'Q-B', 'Q-C']);
      expect(await names(', channels: [EVENT, OUTBOUND]')).toEqual(['Q-B', 'Q-C']);
      expect(await names(', ownerTeam: SALES')).toEqual(['Q-B']);
      expect(await names(', activeOn: "2024-03-01"')).toEqual(['Q-A', 'Q-C']);
      expect(await names(', activeOn: "2024-03-31"')).toEqual(['Q-A', 'Q-B', 'Q-C']);
      expect(await names(', activeOn: "2024-05-01"')).toEqual(['Q-B']); // open-ended
      expect(await names(', activeOn: "2024-01-31"')).toEqual([]);
      expect(await names(', activeOn: "2024-03-20", ownerTeam: MARKETING, channels: [PAID_SEARCH]')).toEqual(['Q-A']);
    });

    it('orders by name, start day or creation, either way', async () => {
      expect(await ordered('{ field: NAME, direction: DESC }')).toEqual(['Q-C', 'Q-B', 'Q-A']);
      expect(await ordered('{ field: STARTS_ON }')).toEqual(['Q-C', 'Q-A', 'Q-B']);
      expect(await ordered('{ field: CREATED_AT, direction: DESC }')).toEqual(['Q-C', 'Q-B', 'Q-A']);
    });

    it('resolves a campaign with its spend by day (half-open range) and its touchpoints in time order', async () => {
      const c = ids.c!;
      await app.db.sql(
        `INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2024-02-03', 30), ($1, '2024-02-01', 10), ($1, '2024-02-02', 20.25)`,
        [c],
      );
      const l1 = await insertLead(app.db, { email: 'ct1@prospect.test', createdAt: '2024-01-01T00:00:00Z' });
      const l2 = await insertLead(app.db, { email: 'ct2@prospect.test', createdAt: '2024-01-01T00:00:00Z' });
      await insertTouch(app.db, l2, c, '2024-02-10T00:00:00Z', 'EVENT_ATTENDED');
      await insertTouch(app.db, l1, c, '2024-02-09T00:00:00Z', 'FORM_FILL');
      const data = await app.ok(
        `query($id: ID!) { campaign(id: $id) { name
           spend { totalCount edges { node { spentOn amount campaign { name } } } }
           early: spend(from: "2024-02-01", to: "2024-02-03") { totalCount edges { node { amount } } }
           touchpoints { totalCount edges { node { kind lead { email } campaign { name } } } }
           forms: touchpoints(filter: { kinds: [FORM_FILL] }) { totalCount }
         } }`,
        { id: gid('Campaign', c) },
      );
      expect(data).toEqual({
        campaign: {
          name: 'Q-C event',
          spend: {
            totalCount: 3,
            edges: [
              { node: { spentOn: '2024-02-01', amount: '10.00', campaign: { name: 'Q-C event' } } },
              { node: { spentOn: '2024-02-02', amount: '20.25', campaign: { name: 'Q-C event' } } },
              { node: { spentOn: '2024-02-03', amount: '30.00', campaign: { name: 'Q-C event' } } },
            ],
          },
          early: { totalCount: 2, edges: [{ node: { amount: '10.00' } }, { node: { amount: '20.25' } }] },
          touchpoints: {
            totalCount: 2,
            edges: [
              { node: { kind: 'FORM_FILL', lead: { email: 'ct1@prospect.test' }, campaign: { name: 'Q-C event' } } },
              { node: { kind: 'EVENT_ATTENDED', lead: { email: 'ct2@prospect.test' }, campaign: { name: 'Q-C event' } } },
            ],
          },
          forms: { totalCount: 1 },
        },
      });
      expect(await app.ok(`{ campaign(id: "${gid('Account', c)}") { name } }`)).toEqual({ campaign: null });
    });
  });
});
