import { createTestApp, TestApp } from '../helpers/app';
import { countRows, firstError, gid, insertAccount, insertLead, insertOpportunity, insertUser } from '../helpers/core-fixtures';

const OPP_FIELDS = `id name kind stage amount lostReason externalId createdAt closedAt version
  account { name } owner { name } contacts { email }`;
const CREATE = `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { ${OPP_FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { opportunity { ${OPP_FIELDS} } } }`;
const MOVE = `mutation($input: MoveOpportunityStageInput!) { moveOpportunityStage(input: $input) { opportunity { ${OPP_FIELDS} } } }`;

interface OppNode {
  id: string;
  name: string;
  stage: string;
  amount: string;
  lostReason: string | null;
  createdAt: string;
  closedAt: string | null;
  version: number;
  contacts: { email: string }[];
  [key: string]: unknown;
}

describe('opportunities', () => {
  let app: TestApp;
  let accountId: string;
  let ownerId: string;
  let contacts: string[];
  beforeAll(async () => {
    app = await createTestApp();
    accountId = await insertAccount(app.db, { name: 'Deal Co' });
    ownerId = await insertUser(app.db, 'SALES', 'Dee Dealer');
    contacts = [
      await insertLead(app.db, { email: 'c1@dealco.test', accountId }),
      await insertLead(app.db, { email: 'c2@dealco.test', accountId }),
    ];
  });
  afterAll(() => app.close());

  const base = () => ({ accountId: gid('Account', accountId), name: 'Big Deal', kind: 'NEW_BUSINESS', amount: '50000' });
  const create = async (input: Record<string, unknown>) =>
    (await app.ok<{ createOpportunity: { opportunity: OppNode } }>(CREATE, { input: { ...base(), ...input } })).createOpportunity.opportunity;
  const move = (input: Record<string, unknown>) => app.gql<{ moveOpportunityStage: { opportunity: OppNode } }>(MOVE, { input });
  const moveOk = async (input: Record<string, unknown>) => {
    const result = await move(input);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.moveOpportunityStage.opportunity;
  };

  describe('createOpportunity', () => {
    it('creates an open deal with owner and contacts and a back-dated createdAt', async () => {
      const opp = await create({
        ownerId: gid('User', ownerId),
        contactIds: [gid('Lead', contacts[1]!), gid('Lead', contacts[0]!), gid('Lead', contacts[1]!)],
        externalId: 'crm-opp-1',
        createdAt: '2024-02-01T00:00:00.000Z',
      });
      expect(opp).toEqual({
        id: expect.any(String),
        name: 'Big Deal',
        kind: 'NEW_BUSINESS',
        stage: 'PROSPECTING',
        amount: '50000.00',
        lostReason: null,
        externalId: 'crm-opp-1',
        createdAt: '2024-02-01T00:00:00.000Z',
        closedAt: null,
        version: 1,
        account: { name: 'Deal Co' },
        owner: { name: 'Dee Dealer' },
        contacts: [{ email: 'c1@dealco.test' }, { email: 'c2@dealco.test' }], // by id, once each
      });
      const before = Date.now();
      const now = await create({ name: 'Now deal' });
      expect(Date.parse(now.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(now.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
      expect(now.contacts).toEqual([]);
    });

    it('creates a deal already closed, for historical loads', async () => {
      const won = await create({ stage: 'CLOSED_WON', createdAt: '2023-01-01T00:00:00.000Z', closedAt: '2023-03-01T00:00:00.000Z' });
      expect(won).toMatchObject({ stage: 'CLOSED_WON', closedAt: '2023-03-01T00:00:00.000Z' });
      const lost = await create({ stage: 'CLOSED_LOST', lostReason: 'price', createdAt: '2023-01-01T00:00:00.000Z', closedAt: '2023-01-01T00:00:00.000Z' });
      expect(lost).toMatchObject({ stage: 'CLOSED_LOST', lostReason: 'price', closedAt: '2023-01-01T00:00:00.000Z' });
    });

    it.each([
      [{ amount: '-1' }, 'BAD_USER_INPUT', 'input.amount', /must not be negative/],
      [{ accountId: gid('Account', 404404) }, 'NOT_FOUND', 'input.accountId', /no Account with id "404404"/],
      [{ accountId: gid('User', 1) }, 'BAD_USER_INPUT', 'input.accountId', /is not a Account id/],
      [{ ownerId: gid('User', 404404) }, 'NOT_FOUND', 'input.ownerId', /no User with id/],
      [{ stage: 'CLOSED_WON', createdAt: '2024-02-01T00:00:00Z', closedAt: '2024-01-31T23:59:59Z' }, 'BAD_USER_INPUT', 'input.closedAt', /must not be before createdAt/],
      [{ stage: 'CLOSED_WON' }, 'BAD_USER_INPUT', 'input.closedAt', /is required for a CLOSED_WON opportunity/],
      [{ closedAt: '2024-01-01T00:00:00Z', createdAt: '2023-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.closedAt', /only a closed opportunity/],
      [{ lostReason: 'price' }, 'BAD_USER_INPUT', 'input.lostReason', /only a CLOSED_LOST/],
      [{ name: ' ' }, 'BAD_USER_INPUT', 'input.name', /must not be blank/],
      [{ externalId: 'crm-opp-1' }, 'CONFLICT', 'input.externalId', /already taken/],
      [{ createdAt: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.createdAt', /cannot be in the future/],
    ])('refuses %j naming the field and creates nothing', async (bad, code, field, message) => {
      const before = await countRows(app.db, 'opportunities');
      const result = await app.gql(CREATE, { input: { ...base(), ...bad } });
      expect(firstError(result)).toEqual({ code, field, message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: .*${message.source}`)) });
      expect(await countRows(app.db, 'opportunities')).toBe(before);
    });

    it('leaves no trace when one contact id is unknown or of another type', async () => {
      const [opps, links] = [await countRows(app.db, 'opportunities'), await countRows(app.db, 'opportunity_contacts')];
      const unknown = await app.gql(CREATE, { input: { ...base(), name: 'Ghost contact', contactIds: [gid('Lead', contacts[0]!), gid('Lead', 909090)] } });
      expect(firstError(unknown)).toEqual({ code: 'NOT_FOUND', field: 'input.contactIds', message: 'input.contactIds: no Lead with id "909090"' });
      const wrongType = await app.gql(CREATE, { input: { ...base(), name: 'Ghost contact', contactIds: [gid('Lead', contacts[0]!), gid('Account', accountId)] } });
      expect(firstError(wrongType)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.contactIds.1' });
      expect([await countRows(app.db, 'opportunities'), await countRows(app.db, 'opportunity_contacts')]).toEqual([opps, links]);
      expect(await countRows(app.db, 'opportunities', `name = 'Ghost contact'`)).toBe(0);
    });
  });

  describe('updateOpportunity', () => {
    it('changes fields, replaces the contacts and clears the owner', async () => {
      const opp = await create({ name: 'Upd', ownerId: gid('User', ownerId), contactIds: [gid('Lead', contacts[0]!)] });
      const { updateOpportunity } = await app.ok<{ updateOpportunity: { opportunity: OppNode } }>(UPDATE, {
        input: { id: opp.id, version: 1, name: 'Updated', kind: 'EXPANSION', amount: '75000.25', ownerId: null, contactIds: [gid('Lead', contacts[1]!)] },
      });
      expect(updateOpportunity.opportunity).toMatchObject({
        name: 'Updated',
        kind: 'EXPANSION',
        amount: '75000.25',
        owner: null,
        contacts: [{ email: 'c2@dealco.test' }],
        version: 2,
        stage: 'PROSPECTING',
      });
      const cleared = await app.ok<{ updateOpportunity: { opportunity: OppNode } }>(UPDATE, { input: { id: opp.id, contactIds: [] } });
      expect(cleared.updateOpportunity.opportunity.contacts).toEqual([]);
    });

    it.each([
      [{ amount: null }, 'BAD_USER_INPUT', 'input.amount'],
      [{ amount: '-10' }, 'BAD_USER_INPUT', 'input.amount'],
      [{ name: null }, 'BAD_USER_INPUT', 'input.name'],
      [{ version: 9 }, 'CONFLICT', 'input.version'],
      [{ contactIds: ['x'] }, 'BAD_USER_INPUT', 'input.contactIds.0'],
      [{ contactIds: [gid('Lead', 919191)] }, 'NOT_FOUND', 'input.contactIds'],
      [{ ownerId: gid('Lead', 1) }, 'BAD_USER_INPUT', 'input.ownerId'],
    ])('refuses %j naming the field and changes nothing, contacts included', async (bad, code, field) => {
      const id = await insertOpportunity(app.db, { accountId, name: 'Victim', amount: '10.00' });
      await app.db.sql(`INSERT INTO opportunity_contacts VALUES ($1, $2)`, [id, contacts[0]]);
      const result = await app.gql(UPDATE, { input: { id: gid('Opportunity', id), kind: 'RENEWAL', ...bad } });
      expect(firstError(result)).toMatchObject({ code, field });
      const [row] = await app.db.sql(`SELECT name, kind, amount, version FROM opportunities WHERE id = $1`, [id]);
      expect(row).toEqual({ name: 'Victim', kind: 'NEW_BUSINESS', amount: '10.00', version: 1 });
      expect(await app.db.sql(`SELECT lead_id FROM opportunity_contacts WHERE opportunity_id = $1`, [id])).toEqual([{ lead_id: contacts[0] }]);
    });

    it('refuses an unknown opportunity', async () => {
      expect(firstError(await app.gql(UPDATE, { input: { id: gid('Opportunity', 818181), name: 'x' } }))).toEqual({
        code: 'NOT_FOUND',
        field: 'input.id',
        message: 'input.id: no Opportunity with id "818181"',
      });
    });
  });

  describe('moveOpportunityStage', () => {
    it('moves through open stages, then closing won sets closedAt to the given time', async () => {
      const opp = await create({ name: 'Mover', createdAt: '2024-03-01T00:00:00.000Z' });
      const qualified = await moveOk({ opportunityId: opp.id, stage: 'QUALIFICATION', at: '2024-03-05T00:00:00Z' });
      expect(qualified).toMatchObject({ stage: 'QUALIFICATION', closedAt: null, version: 2 });
      const won = await moveOk({ opportunityId: opp.id, stage: 'CLOSED_WON', at: '2024-04-01T12:00:00.000Z', version: 2 });
      expect(won).toMatchObject({ stage: 'CLOSED_WON', closedAt: '2024-04-01T12:00:00.000Z', lostReason: null, version: 3 });
    });

    it('closing lost records the reason, and closedAt defaults to now', async () => {
      const opp = await create({ name: 'Loser', createdAt: '2024-03-01T00:00:00.000Z' });
      const before = Date.now();
      const lost = await moveOk({ opportunityId: opp.id, stage: 'CLOSED_LOST', lostReason: 'went with a competitor' });
      expect(lost).toMatchObject({ stage: 'CLOSED_LOST', lostReason: 'went with a competitor' });
      expect(Date.parse(lost.closedAt!)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(lost.closedAt!)).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('refuses to change the stage of a closed deal (CONFLICT), and changes nothing', async () => {
      const opp = await create({ name: 'Closed', createdAt: '2024-03-01T00:00:00.000Z' });
      await moveOk({ opportunityId: opp.id, stage: 'CLOSED_WON', at: '2024-03-10T00:00:00Z' });
      for (const stage of ['NEGOTIATION', 'CLOSED_LOST', 'CLOSED_WON']) {
        const result = await move({ opportunityId: opp.id, stage, at: '2024-03-11T00:00:00Z' });
        expect(firstError(result)).toEqual({
          code: 'CONFLICT',
          field: 'input.stage',
          message: "input.stage: the opportunity is CLOSED_WON; a closed opportunity's stage cannot change",
        });
      }
      const [row] = await app.db.sql(`SELECT stage, closed_at, version FROM opportunities WHERE name = 'Closed'`);
      expect(row).toEqual({ stage: 'CLOSED_WON', closed_at: new Date('2024-03-10T00:00:00Z'), version: 2 });
    });

    it.each([
      [{ stage: 'PROSPECTING' }, 'BAD_USER_INPUT', 'input.stage', /already PROSPECTING/],
      [{ stage: 'CLOSED_WON', at: '2024-02-29T23:59:59Z' }, 'BAD_USER_INPUT', 'input.at', /must not be before the opportunity was created/],
      [{ stage: 'CLOSED_WON', lostReason: 'x' }, 'BAD_USER_INPUT', 'input.lostReason', /only a CLOSED_LOST/],
      [{ stage: 'CLOSED_WON', at: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.at', /cannot be in the future/],
      [{ stage: 'PROPOSAL', version: 3 }, 'CONFLICT', 'input.version', /at version 1, not 3/],
      [{ opportunityId: gid('Opportunity', 717171), stage: 'PROPOSAL' }, 'NOT_FOUND', 'input.opportunityId', /no Opportunity/],
      [{ opportunityId: gid('Account', 1), stage: 'PROPOSAL' }, 'BAD_USER_INPUT', 'input.opportunityId', /is not a Opportunity id/],
    ])('refuses %j naming the field and changes nothing', async (bad, code, field, message) => {
      const id = await insertOpportunity(app.db, { accountId, name: 'Guarded', createdAt: '2024-03-01T00:00:00Z' });
      const result = await move({ opportunityId: gid('Opportunity', id), ...bad });
      expect(firstError(result)).toEqual({ code, field, message: expect.stringMatching(message) });
      const [row] = await app.db.sql(`SELECT stage, closed_at, version FROM opportunities WHERE id = $1`, [id]);
      expect(row).toEqual({ stage: 'PROSPECTING', closed_at: null, version: 1 });
    });
  });

  describe('queries', () => {
    let other: string;
    beforeAll(async () => {
      other = await insertAccount(app.db, { name: 'Other Co' });
      const o = (name: string, rest: Record<string, string>) => insertOpportunity(app.db, { accountId: rest.accountId ?? accountId, name, ...rest });
      await o('F-1 new open', { kind: 'NEW_BUSINESS', amount: '300.00', createdAt: '2024-05-01T00:00:00Z', ownerId });
      await o('F-2 expansion won', { kind: 'EXPANSION', stage: 'CLOSED_WON', amount: '100.00', createdAt: '2024-05-02T00:00:00Z', closedAt: '2024-06-01T00:00:00Z' });
      await o('F-3 renewal lost', { kind: 'RENEWAL', stage: 'CLOSED_LOST', amount: '200.00', createdAt: '2024-05-03T00:00:00Z', closedAt: '2024-06-15T00:00:00Z', accountId: other });
      await o('F-4 expansion open', { kind: 'EXPANSION', stage: 'NEGOTIATION', amount: '300.00', createdAt: '2024-05-04T00:00:00Z', accountId: other });
    });
    const names = async (filter: string, orderBy = '') =>
      (await app.ok<{ opportunities: { totalCount: number; edges: { node: { name: string } }[] } }>(
        `{ opportunities(filter: { createdAt: { from: "2024-05-01T00:00:00Z", to: "2024-05-05T00:00:00Z" } ${filter} } ${orderBy}) { totalCount edges { node { name } } } }`,
      )).opportunities.edges.map((e) => e.node.name.slice(0, 3));

    it('filters by stage, kind, account, owner, creation and close ranges (open deals never match a close range)', async () => {
      expect(await names('')).toEqual(['F-1', 'F-2', 'F-3', 'F-4']);
      expect(await names(', stages: [CLOSED_WON, CLOSED_LOST]')).toEqual(['F-2', 'F-3']);
      expect(await names(', kinds: [EXPANSION]')).toEqual(['F-2', 'F-4']);
      expect(await names(`, accountId: "${gid('Account', other)}"`)).toEqual(['F-3', 'F-4']);
      expect(await names(`, ownerId: "${gid('User', ownerId)}"`)).toEqual(['F-1']);
      expect(await names(', closedAt: { from: "2024-06-01T00:00:00Z", to: "2024-06-15T00:00:00Z" }')).toEqual(['F-2']);
      expect(await names(', closedAt: { from: "2024-01-01T00:00:00Z" }')).toEqual(['F-2', 'F-3']);
      expect(await names(', kinds: [EXPANSION], stages: [NEGOTIATION]')).toEqual(['F-4']);
      // the outer range is half-open: createdAt < to excludes 05-04
      const data = await app.ok<{ opportunities: { totalCount: number } }>(`{ opportunities(filter: { createdAt: { from: "2024-05-02T00:00:00Z", to: "2024-05-04T00:00:00Z" } }) { totalCount } }`);
      expect(data.opportunities.totalCount).toBe(2);
    });

    it('orders by amount (ties on id), name or creation, either way', async () => {
      expect(await names('', 'orderBy: { field: AMOUNT }')).toEqual(['F-2', 'F-3', 'F-1', 'F-4']);
      expect(await names('', 'orderBy: { field: AMOUNT, direction: DESC }')).toEqual(['F-4', 'F-1', 'F-3', 'F-2']);
      expect(await names('', 'orderBy: { field: NAME, direction: DESC }')).toEqual(['F-4', 'F-3', 'F-2', 'F-1']);
      expect(await names('', 'orderBy: { field: CREATED_AT, direction: DESC }')).toEqual(['F-4', 'F-3', 'F-2', 'F-1']);
    });

    it('resolves one opportunity with account, owner and contacts', async () => {
      const id = await insertOpportunity(app.db, { accountId, name: 'One', ownerId });
      await app.db.sql(`INSERT INTO opportunity_contacts VALUES ($1, $2), ($1, $3)`, [id, contacts[1], contacts[0]]);
      const data = await app.ok(`query($id: ID!) { opportunity(id: $id) { name account { name } owner { name team } contacts { email account { name } } } }`, {
        id: gid('Opportunity', id),
      });
      expect(data).toEqual({
        opportunity: {
          name: 'One',
          account: { name: 'Deal Co' },
          owner: { name: 'Dee Dealer', team: 'SALES' },
          contacts: [{ email: 'c1@dealco.test', account: { name: 'Deal Co' } }, { email: 'c2@dealco.test', account: { name: 'Deal Co' } }],
        },
      });
      expect(await app.ok(`{ opportunity(id: "${gid('Lead', id)}") { name } }`)).toEqual({ opportunity: null });
    });
  });
});
