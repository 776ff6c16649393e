import { createTestApp, TestApp } from '../helpers/app';
import { countRows, firstError, gid, insertAccount, insertCampaign, insertLead, insertTouch, insertUser } from '../helpers/core-fixtures';

const LEAD_FIELDS = `id email firstName lastName title stage createdAt mqlAt salAt sqlAt opportunityAt customerAt recycledAt disqualifiedAt version
  account { name }`;
const CREATE = `mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { ${LEAD_FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { ${LEAD_FIELDS} } } }`;
const CHANGE = `mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) {
  lead { ${LEAD_FIELDS} } change { id fromStage toStage changedAt changedBy { name } } } }`;
const HISTORY = `query($id: ID!) { lead(id: $id) { stageHistory { totalCount edges { node { fromStage toStage changedAt changedBy { name } } } } } }`;

interface LeadNode {
  id: string;
  email: string;
  stage: string;
  createdAt: string;
  mqlAt: string | null;
  salAt: string | null;
  sqlAt: string | null;
  opportunityAt: string | null;
  customerAt: string | null;
  recycledAt: string | null;
  disqualifiedAt: string | null;
  version: number;
  account: { name: string } | null;
  [key: string]: unknown;
}
interface Change {
  id?: string;
  fromStage: string | null;
  toStage: string;
  changedAt: string;
  changedBy: { name: string } | null;
}

const T = (day: string) => `2024-${day}T00:00:00.000Z`;

describe('leads', () => {
  let app: TestApp;
  let accountId: string;
  beforeAll(async () => {
    app = await createTestApp();
    accountId = await insertAccount(app.db, { name: 'Lead Co' });
  });
  afterAll(() => app.close());

  const create = async (input: Record<string, unknown>) => (await app.ok<{ createLead: { lead: LeadNode } }>(CREATE, { input })).createLead.lead;
  const change = (input: Record<string, unknown>) => app.gql<{ changeLeadStage: { lead: LeadNode; change: Change } }>(CHANGE, { input });
  const changeOk = async (input: Record<string, unknown>) => {
    const result = await change(input);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.changeLeadStage;
  };
  const history = async (id: string) =>
    (await app.ok<{ lead: { stageHistory: { totalCount: number; edges: { node: Change }[] } } }>(HISTORY, { id })).lead.stageHistory;
  const stamps = (lead: LeadNode) => ({
    stage: lead.stage,
    mqlAt: lead.mqlAt,
    salAt: lead.salAt,
    sqlAt: lead.sqlAt,
    opportunityAt: lead.opportunityAt,
    customerAt: lead.customerAt,
    recycledAt: lead.recycledAt,
    disqualifiedAt: lead.disqualifiedAt,
  });
  const none = { mqlAt: null, salAt: null, sqlAt: null, opportunityAt: null, customerAt: null, recycledAt: null, disqualifiedAt: null };

  describe('createLead', () => {
    it('creates a NEW lead at an account with a back-dated time, recorded as the first history entry', async () => {
      const lead = await create({
        email: 'Ada@Prospect.test',
        firstName: 'Ada',
        lastName: 'Lovelace',
        title: 'CTO',
        accountId: gid('Account', accountId),
        externalId: 'crm-ada',
        createdAt: T('01-10'),
      });
      expect(lead).toMatchObject({ email: 'ada@prospect.test', firstName: 'Ada', lastName: 'Lovelace', title: 'CTO', ...none, stage: 'NEW', createdAt: T('01-10'), version: 1, account: { name: 'Lead Co' } });
      expect(await history(lead.id)).toEqual({ totalCount: 1, edges: [{ node: { fromStage: null, toStage: 'NEW', changedAt: T('01-10'), changedBy: null } }] });
    });

    it('defaults createdAt to now', async () => {
      const before = Date.now();
      const lead = await create({ email: 'now@prospect.test' });
      expect(Date.parse(lead.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(lead.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
      expect(lead.account).toBeNull();
    });

    it('creates a lead in a later stage, filling every earlier first-reached time with createdAt', async () => {
      const lead = await create({ email: 'late@prospect.test', stage: 'SQL', createdAt: T('02-01') });
      expect(stamps(lead)).toEqual({ ...none, stage: 'SQL', mqlAt: T('02-01'), salAt: T('02-01'), sqlAt: T('02-01') });
      expect((await history(lead.id)).edges).toEqual([{ node: { fromStage: null, toStage: 'SQL', changedAt: T('02-01'), changedBy: null } }]);
    });

    it.each([
      [{ stage: 'RECYCLED' }, 'BAD_USER_INPUT', 'input.stage'],
      [{ stage: 'DISQUALIFIED' }, 'BAD_USER_INPUT', 'input.stage'],
      [{ email: 'ADA@prospect.TEST' }, 'CONFLICT', 'input.email'],
      [{ externalId: 'crm-ada' }, 'CONFLICT', 'input.externalId'],
      [{ email: 'no-at-sign' }, 'BAD_USER_INPUT', 'input.email'],
      [{ accountId: gid('Account', 555555) }, 'NOT_FOUND', 'input.accountId'],
      [{ accountId: gid('Campaign', 1) }, 'BAD_USER_INPUT', 'input.accountId'],
      [{ createdAt: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.createdAt'],
    ])('refuses %j naming the field, and leaves no lead and no history', async (bad, code, field) => {
      const [leads, changes] = [await countRows(app.db, 'leads'), await countRows(app.db, 'lead_stage_changes')];
      const result = await app.gql(CREATE, { input: { email: 'fresh@prospect.test', ...bad } });
      expect(result.data ?? null).toBeNull();
      const error = firstError(result);
      expect(error).toMatchObject({ code, field });
      expect(error.message).toContain(field);
      expect([await countRows(app.db, 'leads'), await countRows(app.db, 'lead_stage_changes')]).toEqual([leads, changes]);
    });
  });

  describe('updateLead', () => {
    it('changes the given fields, clears with null, detaches the account and bumps the version', async () => {
      const lead = await create({ email: 'upd@prospect.test', firstName: 'Up', title: 'VP', accountId: gid('Account', accountId) });
      const { updateLead } = await app.ok<{ updateLead: { lead: LeadNode } }>(UPDATE, {
        input: { id: lead.id, version: 1, email: 'updated@prospect.test', title: null, lastName: 'Date', accountId: null },
      });
      expect(updateLead.lead).toMatchObject({ email: 'updated@prospect.test', firstName: 'Up', lastName: 'Date', title: null, account: null, version: 2, stage: 'NEW' });
    });

    it.each([
      [{ email: null }, 'BAD_USER_INPUT', 'input.email'],
      [{ email: 'taken@prospect.test' }, 'CONFLICT', 'input.email'],
      [{ version: 7 }, 'CONFLICT', 'input.version'],
      [{ accountId: gid('Account', 444444) }, 'NOT_FOUND', 'input.accountId'],
    ])('refuses %j naming the field and changes nothing', async (bad, code, field) => {
      await app.db.sql(`INSERT INTO leads (email) VALUES ('taken@prospect.test') ON CONFLICT DO NOTHING`);
      const id = await insertLead(app.db, { email: `${field}-${code}@victim.test`.toLowerCase() });
      const result = await app.gql(UPDATE, { input: { id: gid('Lead', id), firstName: 'Changed', ...bad } });
      expect(firstError(result)).toMatchObject({ code, field });
      const [row] = await app.db.sql(`SELECT first_name, version FROM leads WHERE id = $1`, [id]);
      expect(row).toEqual({ first_name: null, version: 1 });
    });

    it('refuses an unknown lead and an id of another type', async () => {
      expect(firstError(await app.gql(UPDATE, { input: { id: gid('Lead', 987654), title: 'x' } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.id' });
      expect(firstError(await app.gql(UPDATE, { input: { id: gid('Account', accountId), title: 'x' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.id' });
    });
  });

  describe('changeLeadStage', () => {
    it('moves forward one stage at a time, each change in the history with who and when', async () => {
      const userId = await insertUser(app.db, 'SALES', 'Sally Stage');
      const lead = await create({ email: 'step@prospect.test', createdAt: T('03-01') });
      const toMql = await changeOk({ leadId: lead.id, stage: 'MQL', at: T('03-02') });
      expect(toMql.change).toMatchObject({ fromStage: 'NEW', toStage: 'MQL', changedAt: T('03-02'), changedBy: null });
      expect(toMql.change.id).toMatch(/^[A-Za-z0-9+/=]+$/);
      const toSal = await changeOk({ leadId: lead.id, stage: 'SAL', at: T('03-04'), changedById: gid('User', userId), version: 2 });
      expect(toSal.change).toMatchObject({ fromStage: 'MQL', toStage: 'SAL', changedBy: { name: 'Sally Stage' } });
      expect(stamps(toSal.lead)).toEqual({ ...none, stage: 'SAL', mqlAt: T('03-02'), salAt: T('03-04') });
      expect(toSal.lead.version).toBe(3);
      expect(await history(lead.id)).toEqual({
        totalCount: 3,
        edges: [
          { node: { fromStage: null, toStage: 'NEW', changedAt: T('03-01'), changedBy: null } },
          { node: { fromStage: 'NEW', toStage: 'MQL', changedAt: T('03-02'), changedBy: null } },
          { node: { fromStage: 'MQL', toStage: 'SAL', changedAt: T('03-04'), changedBy: { name: 'Sally Stage' } } },
        ],
      });
    });

    it('fills the skipped stages of a jump with the same time (NEW -> SQL, then SQL -> CUSTOMER)', async () => {
      const lead = await create({ email: 'jump@prospect.test', createdAt: T('04-01') });
      const toSql = await changeOk({ leadId: lead.id, stage: 'SQL', at: T('04-03') });
      expect(stamps(toSql.lead)).toEqual({ ...none, stage: 'SQL', mqlAt: T('04-03'), salAt: T('04-03'), sqlAt: T('04-03') });
      expect(toSql.change).toMatchObject({ fromStage: 'NEW', toStage: 'SQL' });
      const toCustomer = await changeOk({ leadId: lead.id, stage: 'CUSTOMER', at: T('04-09') });
      expect(stamps(toCustomer.lead)).toEqual({ ...none, stage: 'CUSTOMER', mqlAt: T('04-03'), salAt: T('04-03'), sqlAt: T('04-03'), opportunityAt: T('04-09'), customerAt: T('04-09') });
      expect((await history(lead.id)).totalCount).toBe(3);
    });

    it('keeps first-reached times when a recycled lead re-enters the funnel', async () => {
      const lead = await create({ email: 'recycle@prospect.test', createdAt: T('05-01') });
      await changeOk({ leadId: lead.id, stage: 'MQL', at: T('05-02') });
      await changeOk({ leadId: lead.id, stage: 'SAL', at: T('05-03') });
      const recycled = await changeOk({ leadId: lead.id, stage: 'RECYCLED', at: T('05-04') });
      expect(stamps(recycled.lead)).toEqual({ ...none, stage: 'RECYCLED', mqlAt: T('05-02'), salAt: T('05-03'), recycledAt: T('05-04') });
      await changeOk({ leadId: lead.id, stage: 'MQL', at: T('05-10') });
      const reentered = await changeOk({ leadId: lead.id, stage: 'SQL', at: T('05-12') });
      // MQL and SAL keep their first times; SQL is reached for the first time now
      expect(stamps(reentered.lead)).toEqual({ ...none, stage: 'SQL', mqlAt: T('05-02'), salAt: T('05-03'), sqlAt: T('05-12'), recycledAt: T('05-04') });
      const recycledAgain = await changeOk({ leadId: lead.id, stage: 'RECYCLED', at: T('05-20') });
      expect(recycledAgain.lead.recycledAt).toBe(T('05-04'));
      expect((await history(lead.id)).edges.map((e) => `${e.node.fromStage}>${e.node.toStage}`)).toEqual([
        'null>NEW', 'NEW>MQL', 'MQL>SAL', 'SAL>RECYCLED', 'RECYCLED>MQL', 'MQL>SQL', 'SQL>RECYCLED',
      ]);
    });

    it('lets a disqualified lead only be recycled', async () => {
      const lead = await create({ email: 'dq@prospect.test', createdAt: T('06-01') });
      const dq = await changeOk({ leadId: lead.id, stage: 'DISQUALIFIED', at: T('06-02') });
      expect(stamps(dq.lead)).toEqual({ ...none, stage: 'DISQUALIFIED', disqualifiedAt: T('06-02') });
      expect(firstError(await change({ leadId: lead.id, stage: 'MQL', at: T('06-03') }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.stage',
        message: 'input.stage: a disqualified lead can only be RECYCLED',
      });
      await changeOk({ leadId: lead.id, stage: 'RECYCLED', at: T('06-04') });
      const back = await changeOk({ leadId: lead.id, stage: 'MQL', at: T('06-05') });
      expect(stamps(back.lead)).toEqual({ ...none, stage: 'MQL', mqlAt: T('06-05'), recycledAt: T('06-04'), disqualifiedAt: T('06-02') });
    });

    it('refuses a stage that does not exist before running anything', async () => {
      const result = await app.gql(`mutation { changeLeadStage(input: { leadId: "${gid('Lead', 1)}", stage: LUKEWARM }) { lead { stage } } }`);
      expect(firstError(result)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringMatching(/"LUKEWARM" does not exist in "LeadStage" enum/) });
    });

    it('refuses a change dated before a stage the lead already reached, even with no history (bulk loads)', async () => {
      // loaded with SQL, as a bulk import does: MQL on 02-10, no stage history rows
      const id = await insertLead(app.db, { email: 'bulk@prospect.test', stage: 'MQL', createdAt: T('02-01'), mqlAt: T('02-10') });
      const result = await change({ leadId: gid('Lead', id), stage: 'SAL', at: T('02-05') });
      expect(firstError(result)).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.at',
        message: `input.at: must not be before the lead's last stage change (${T('02-10')})`,
      });
      const moved = await changeOk({ leadId: gid('Lead', id), stage: 'SAL', at: T('02-10') });
      expect(stamps(moved.lead)).toEqual({ ...none, stage: 'SAL', mqlAt: T('02-10'), salAt: T('02-10') });
    });

    it('defaults the time of a change to now', async () => {
      const lead = await create({ email: 'nowchange@prospect.test', createdAt: T('01-01') });
      const before = Date.now();
      const { change: c, lead: moved } = await changeOk({ leadId: lead.id, stage: 'MQL' });
      expect(Date.parse(c.changedAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(c.changedAt)).toBeLessThanOrEqual(Date.now() + 1000);
      expect(moved.mqlAt).toBe(c.changedAt);
    });

    describe('refuses an invalid change naming the field, and leaves no trace', () => {
      let leadId: string;
      beforeAll(async () => {
        const lead = await create({ email: 'guarded@prospect.test', createdAt: T('07-01') });
        leadId = lead.id;
        await changeOk({ leadId, stage: 'SQL', at: T('07-05') });
      });

      it.each([
        [{ stage: 'MQL' }, 'BAD_USER_INPUT', 'input.stage', /cannot move back from SQL to MQL; only RECYCLED or DISQUALIFIED go back/],
        [{ stage: 'NEW' }, 'BAD_USER_INPUT', 'input.stage', /cannot go back to NEW/],
        [{ stage: 'SQL' }, 'BAD_USER_INPUT', 'input.stage', /already SQL/],
        [{ stage: 'OPPORTUNITY', at: T('07-04') }, 'BAD_USER_INPUT', 'input.at', /must not be before the lead's last stage change/],
        [{ stage: 'OPPORTUNITY', at: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.at', /cannot be in the future/],
        [{ stage: 'OPPORTUNITY', version: 1 }, 'CONFLICT', 'input.version', /at version 2, not 1/],
        [{ stage: 'OPPORTUNITY', changedById: gid('User', 31337) }, 'NOT_FOUND', 'input.changedById', /no User with id "31337"/],
        [{ stage: 'OPPORTUNITY', changedById: gid('Lead', 1) }, 'BAD_USER_INPUT', 'input.changedById', /is not a User id/],
        [{ leadId: gid('Lead', 123456), stage: 'MQL' }, 'NOT_FOUND', 'input.leadId', /no Lead with id "123456"/],
        [{ leadId: gid('Account', 1), stage: 'MQL' }, 'BAD_USER_INPUT', 'input.leadId', /is not a Lead id/],
      ])('%j', async (bad, code, field, message) => {
        const changes = await countRows(app.db, 'lead_stage_changes');
        const result = await change({ leadId, ...bad });
        expect(firstError(result)).toEqual({ code, field, message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: .*${message.source}`)) });
        expect(await countRows(app.db, 'lead_stage_changes')).toBe(changes);
        const [row] = await app.db.sql(`SELECT stage, opportunity_at, version FROM leads WHERE email = 'guarded@prospect.test'`);
        expect(row).toEqual({ stage: 'SQL', opportunity_at: null, version: 2 });
      });
    });
  });

  describe('queries', () => {
    let ids: Record<string, string>;
    beforeAll(async () => {
      const email = await insertCampaign(app.db, { channel: 'EMAIL' });
      const event = await insertCampaign(app.db, { channel: 'EVENT' });
      const search = await insertCampaign(app.db, { channel: 'PAID_SEARCH' });
      const other = await insertAccount(app.db, { name: 'Src Other' });
      ids = {
        s1: await insertLead(app.db, { email: 's1@src.test', accountId, createdAt: '2024-08-01T00:00:00Z' }),
        s2: await insertLead(app.db, { email: 's2@src.test', accountId: other, createdAt: '2024-08-02T00:00:00Z', stage: 'MQL', mqlAt: '2024-08-03T00:00:00Z' }),
        s3: await insertLead(app.db, { email: 's3@src.test', accountId, createdAt: '2024-08-03T00:00:00Z', stage: 'MQL', mqlAt: '2024-08-04T00:00:00Z' }),
        s4: await insertLead(app.db, { email: 's4@src.test', createdAt: '2024-08-04T00:00:00Z' }),
      };
      // s1: the EVENT touch is inserted first but the EMAIL one is earlier -> source EMAIL
      await insertTouch(app.db, ids.s1!, event, '2024-08-05T00:00:00Z', 'EVENT_ATTENDED');
      await insertTouch(app.db, ids.s1!, email, '2024-08-01T10:00:00Z', 'EMAIL_CLICK');
      // s2 and s3: two touches at the same instant; the lower touchpoint id is first
      await insertTouch(app.db, ids.s2!, search, '2024-08-02T10:00:00Z', 'AD_CLICK');
      await insertTouch(app.db, ids.s2!, event, '2024-08-02T10:00:00Z', 'EVENT_ATTENDED');
      await insertTouch(app.db, ids.s3!, event, '2024-08-03T10:00:00Z', 'EVENT_ATTENDED');
      await insertTouch(app.db, ids.s3!, search, '2024-08-03T10:00:00Z', 'AD_CLICK');
      // s4 has no touch: it has no source channel
    });

    const emails = async (filter: string) =>
      (await app.ok<{ leads: { totalCount: number; edges: { node: { email: string } }[] } }>(
        `{ leads(filter: { search: "@src.test", ${filter} }) { totalCount edges { node { email } } } }`,
      )).leads.edges.map((e) => e.node.email.slice(0, 2));

    it('filters by source channel: the channel of the first touch ever, ties broken by touchpoint id', async () => {
      expect(await emails('sourceChannels: [EMAIL]')).toEqual(['s1']);
      expect(await emails('sourceChannels: [PAID_SEARCH]')).toEqual(['s2']);
      expect(await emails('sourceChannels: [EVENT]')).toEqual(['s3']);
      expect(await emails('sourceChannels: [EVENT, EMAIL]')).toEqual(['s1', 's3']);
      expect(await emails('sourceChannels: [WEBINAR]')).toEqual([]);
    });

    it('filters by stage, account and creation range (half-open)', async () => {
      expect(await emails('stages: [MQL]')).toEqual(['s2', 's3']);
      expect(await emails(`accountId: "${gid('Account', accountId)}"`)).toEqual(['s1', 's3']);
      expect(await emails('createdAt: { from: "2024-08-02T00:00:00Z", to: "2024-08-04T00:00:00Z" }')).toEqual(['s2', 's3']);
      expect(await emails('createdAt: { from: "2024-08-03T00:00:00Z" }')).toEqual(['s3', 's4']);
      expect(await emails(`stages: [NEW], accountId: "${gid('Account', accountId)}"`)).toEqual(['s1']);
      const wrong = await app.gql(`{ leads(filter: { accountId: "${gid('Lead', 1)}" }) { totalCount } }`);
      expect(firstError(wrong)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.accountId' });
    });

    it('resolves a lead with its account, touchpoints (in time order, filterable) and feedback', async () => {
      await app.db.sql(
        `INSERT INTO lead_feedback (lead_id, disposition, reason, note, given_at) VALUES
           ($1, 'REJECTED', 'BAD_TIMING', 'after Q4', '2024-08-06'), ($1, 'ACCEPTED', NULL, NULL, '2024-08-05')`,
        [ids.s3],
      );
      const data = await app.ok(
        `query($id: ID!) { lead(id: $id) { email account { name }
           touchpoints { totalCount edges { node { kind occurredAt campaign { channel } lead { email } } } }
           clicks: touchpoints(filter: { kinds: [AD_CLICK] }) { edges { node { kind } } }
           late: touchpoints(filter: { occurredAt: { from: "2024-08-04T00:00:00Z" } }) { totalCount }
           feedback { totalCount edges { node { disposition reason note givenAt } } } } }`,
        { id: gid('Lead', ids.s3!) },
      );
      expect(data).toEqual({
        lead: {
          email: 's3@src.test',
          account: { name: 'Lead Co' },
          touchpoints: {
            totalCount: 2,
            edges: [
              { node: { kind: 'EVENT_ATTENDED', occurredAt: '2024-08-03T10:00:00.000Z', campaign: { channel: 'EVENT' }, lead: { email: 's3@src.test' } } },
              { node: { kind: 'AD_CLICK', occurredAt: '2024-08-03T10:00:00.000Z', campaign: { channel: 'PAID_SEARCH' }, lead: { email: 's3@src.test' } } },
            ],
          },
          clicks: { edges: [{ node: { kind: 'AD_CLICK' } }] },
          late: { totalCount: 0 },
          feedback: {
            totalCount: 2,
            edges: [
              { node: { disposition: 'ACCEPTED', reason: null, note: null, givenAt: '2024-08-05T00:00:00.000Z' } },
              { node: { disposition: 'REJECTED', reason: 'BAD_TIMING', note: 'after Q4', givenAt: '2024-08-06T00:00:00.000Z' } },
            ],
          },
        },
      });
      expect(await app.ok(`{ lead(id: "${gid('Lead', 999999)}") { email } }`)).toEqual({ lead: null });
    });
  });
});
