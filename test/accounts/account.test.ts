import { createTestApp, TestApp } from '../helpers/app';
import { countRows, firstError, gid, insertAccount, insertLead, insertOpportunity, insertUser } from '../helpers/core-fixtures';

const CREATE = `mutation($input: CreateAccountInput!) { createAccount(input: $input) {
  account { id name domain segment industry walletSize externalId createdAt updatedAt version owner { name } } } }`;
const UPDATE = `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) {
  account { id name domain segment industry walletSize version owner { name } } } }`;

interface AccountNode {
  id: string;
  name: string;
  domain: string;
  segment: string;
  industry: string | null;
  walletSize: string | null;
  externalId: string | null;
  createdAt: string;
  version: number;
  owner: { name: string } | null;
}

describe('accounts', () => {
  let app: TestApp;
  let ownerId: string;
  beforeAll(async () => {
    app = await createTestApp();
    ownerId = await insertUser(app.db, 'SALES', 'Olga Owner');
  });
  afterAll(() => app.close());

  const create = async (input: Record<string, unknown>) =>
    (await app.ok<{ createAccount: { account: AccountNode } }>(CREATE, { input })).createAccount.account;

  describe('createAccount', () => {
    it('creates an account with every field, normalising the domain and honouring a back-dated createdAt', async () => {
      const account = await create({
        name: '  Globex  ',
        domain: 'https://www.Globex.COM/about',
        segment: 'ENTERPRISE',
        industry: 'Energy',
        walletSize: '2500000.5',
        ownerId: gid('User', ownerId),
        externalId: 'crm-globex',
        createdAt: '2023-06-01T10:00:00.000Z',
      });
      expect(account).toMatchObject({
        name: 'Globex',
        domain: 'globex.com',
        segment: 'ENTERPRISE',
        industry: 'Energy',
        walletSize: '2500000.50',
        externalId: 'crm-globex',
        createdAt: '2023-06-01T10:00:00.000Z',
        version: 1,
        owner: { name: 'Olga Owner' },
      });
      const [row] = await app.db.sql<{ domain: string; wallet_size: string }>(`SELECT domain, wallet_size FROM accounts WHERE name = 'Globex'`);
      expect(row).toEqual({ domain: 'globex.com', wallet_size: '2500000.50' });
      expect(account.id).toBe(gid('Account', (await app.db.sql<{ id: string }>(`SELECT id FROM accounts WHERE name = 'Globex'`))[0]!.id));
    });

    it('defaults createdAt to now', async () => {
      const before = Date.now();
      const account = await create({ name: 'Nowish', domain: 'nowish.test', segment: 'SMB' });
      const createdAt = Date.parse(account.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
      expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect(account).toMatchObject({ owner: null, walletSize: null, industry: null, externalId: null });
    });

    it('refuses a duplicate domain and a duplicate externalId as CONFLICT naming the field', async () => {
      await create({ name: 'Initech', domain: 'initech.test', segment: 'SMB', externalId: 'crm-initech' });
      const dupDomain = await app.gql(CREATE, { input: { name: 'Initech 2', domain: 'WWW.INITECH.test', segment: 'SMB' } });
      expect(firstError(dupDomain)).toMatchObject({ code: 'CONFLICT', field: 'input.domain', message: expect.stringMatching(/^input\.domain: already taken/) });
      const dupExternal = await app.gql(CREATE, { input: { name: 'Initech 3', domain: 'initech3.test', segment: 'SMB', externalId: 'crm-initech' } });
      expect(firstError(dupExternal)).toMatchObject({ code: 'CONFLICT', field: 'input.externalId' });
      expect(await countRows(app.db, 'accounts', `name LIKE 'Initech%'`)).toBe(1);
    });

    it.each([
      [{ walletSize: '-0.01' }, 'BAD_USER_INPUT', 'input.walletSize', /^input\.walletSize: must not be negative/],
      [{ domain: 'not a domain' }, 'BAD_USER_INPUT', 'input.domain', /^input\.domain: /],
      [{ ownerId: gid('User', 999999) }, 'NOT_FOUND', 'input.ownerId', /^input\.ownerId: no User with id "999999"/],
      [{ ownerId: gid('Account', 1) }, 'BAD_USER_INPUT', 'input.ownerId', /is not a User id/],
      [{ createdAt: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.createdAt', /cannot be in the future/],
      [{ name: '' }, 'BAD_USER_INPUT', 'input.name', /^input\.name: /],
      [{ name: '   ' }, 'BAD_USER_INPUT', 'input.name', /^input\.name: must not be blank/],
    ])('refuses %j and creates nothing', async (bad, code, field, message) => {
      const before = await countRows(app.db, 'accounts');
      const result = await app.gql(CREATE, { input: { name: 'Bad Co', domain: 'bad-co.test', segment: 'SMB', ...bad } });
      expect(result.data).toBeNull();
      expect(firstError(result)).toEqual({ code, field, message: expect.stringMatching(message) });
      expect(await countRows(app.db, 'accounts')).toBe(before);
    });

    it('refuses a malformed date and an unknown segment before running anything, naming the field', async () => {
      const badDate = await app.gql(CREATE, { input: { name: 'X', domain: 'x-date.test', segment: 'SMB', createdAt: '2024-02-30T25:00:00Z' } });
      expect(firstError(badDate)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.createdAt', message: expect.stringContaining('input.createdAt') });
      const badEnum = await app.gql(CREATE, { input: { name: 'X', domain: 'x-enum.test', segment: 'HUGE' } });
      expect(firstError(badEnum)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.segment', message: expect.stringMatching(/"HUGE" does not exist in "Segment" enum/) });
      const literal = await app.gql(`mutation { createAccount(input: { name: "X", domain: "x.test", segment: HUGE }) { account { id } } }`);
      expect(firstError(literal)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringMatching(/"HUGE" does not exist in "Segment" enum/) });
      expect(await countRows(app.db, 'accounts', `domain LIKE 'x%.test'`)).toBe(0);
    });
  });

  describe('updateAccount', () => {
    it('changes the given fields only, bumps the version, and clears with null', async () => {
      const account = await create({ name: 'Umbrella', domain: 'umbrella.test', segment: 'SMB', industry: 'Pharma', walletSize: '100.00', ownerId: gid('User', ownerId) });
      const { updateAccount } = await app.ok<{ updateAccount: { account: AccountNode } }>(UPDATE, {
        input: { id: account.id, version: 1, name: ' Umbrella Corp ', segment: 'MID_MARKET', walletSize: null, ownerId: null },
      });
      expect(updateAccount.account).toEqual({
        id: account.id,
        name: 'Umbrella Corp',
        domain: 'umbrella.test',
        segment: 'MID_MARKET',
        industry: 'Pharma',
        walletSize: null,
        version: 2,
        owner: null,
      });
      const second = await app.ok<{ updateAccount: { account: AccountNode } }>(UPDATE, { input: { id: account.id, domain: 'Umbrella.EXAMPLE' } });
      expect(second.updateAccount.account).toMatchObject({ domain: 'umbrella.example', version: 3 });
    });

    it('refuses a stale version as CONFLICT and changes nothing', async () => {
      const account = await create({ name: 'Stale', domain: 'stale.test', segment: 'SMB' });
      await app.ok(UPDATE, { input: { id: account.id, version: 1, industry: 'Retail' } });
      const result = await app.gql(UPDATE, { input: { id: account.id, version: 1, industry: 'Mining' } });
      expect(firstError(result)).toEqual({ code: 'CONFLICT', field: 'input.version', message: expect.stringMatching(/^input\.version: the Account is at version 2, not 1/) });
      const [row] = await app.db.sql(`SELECT industry, version FROM accounts WHERE domain = 'stale.test'`);
      expect(row).toEqual({ industry: 'Retail', version: 2 });
    });

    it.each([
      [{ name: null }, 'BAD_USER_INPUT', 'input.name'],
      [{ name: ' ' }, 'BAD_USER_INPUT', 'input.name'],
      [{ segment: null }, 'BAD_USER_INPUT', 'input.segment'],
      [{ domain: null }, 'BAD_USER_INPUT', 'input.domain'],
      [{ domain: 'bad domain' }, 'BAD_USER_INPUT', 'input.domain'],
      [{ walletSize: '-5' }, 'BAD_USER_INPUT', 'input.walletSize'],
      [{ domain: 'taken.test' }, 'CONFLICT', 'input.domain'],
      [{ ownerId: gid('User', 424242) }, 'NOT_FOUND', 'input.ownerId'],
    ])('refuses %j naming the field and changes nothing', async (bad, code, field) => {
      await app.db.sql(`INSERT INTO accounts (name, domain, segment) VALUES ('Taken', 'taken.test', 'SMB') ON CONFLICT DO NOTHING`);
      const id = await insertAccount(app.db, { name: 'Victim', segment: 'SMB' });
      const result = await app.gql(UPDATE, { input: { id: gid('Account', id), ...bad } });
      expect(firstError(result)).toMatchObject({ code, field });
      const [row] = await app.db.sql(`SELECT name, segment, version, wallet_size FROM accounts WHERE id = $1`, [id]);
      expect(row).toEqual({ name: 'Victim', segment: 'SMB', version: 1, wallet_size: null });
    });

    it('refuses an unknown account and an id of another type', async () => {
      expect(firstError(await app.gql(UPDATE, { input: { id: gid('Account', 777777), name: 'X' } }))).toEqual({
        code: 'NOT_FOUND',
        field: 'input.id',
        message: 'input.id: no Account with id "777777"',
      });
      expect(firstError(await app.gql(UPDATE, { input: { id: gid('Lead', 1), name: 'X' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.id' });
    });
  });

  describe('queries', () => {
    let ids: Record<string, string>;
    let seller: string;
    beforeAll(async () => {
      seller = await insertUser(app.db, 'SALES', 'Quinn Query');
      ids = {
        alpha: await insertAccount(app.db, { name: 'Q Alpha', segment: 'SMB', ownerId: seller, createdAt: '2024-03-01T00:00:00Z' }),
        beta: await insertAccount(app.db, { name: 'Q Beta', segment: 'ENTERPRISE', createdAt: '2024-01-15T00:00:00Z' }),
        gamma: await insertAccount(app.db, { name: 'Q Gamma', segment: 'MID_MARKET', ownerId: seller, createdAt: '2024-02-01T00:00:00Z' }),
      };
    });

    const names = (data: { accounts: { edges: { node: { name: string } }[] } }) => data.accounts.edges.map((e) => e.node.name);
    const list = async (args: string) => names(await app.ok(`{ accounts(${args}) { edges { node { name } } } }`));

    it('finds one account by id', async () => {
      const data = await app.ok(`query($id: ID!) { account(id: $id) { name segment owner { name } } }`, { id: gid('Account', ids.alpha!) });
      expect(data).toEqual({ account: { name: 'Q Alpha', segment: 'SMB', owner: { name: 'Quinn Query' } } });
      expect(await app.ok(`{ account(id: "${gid('Account', 888888)}") { name } }`)).toEqual({ account: null });
    });

    it('filters by segment, owner, search and creation range; orders by name or creation time', async () => {
      expect(await list(`filter: { search: "q " }`)).toEqual(['Q Alpha', 'Q Beta', 'Q Gamma']);
      expect(await list(`filter: { search: "Q ", segments: [SMB, MID_MARKET] }`)).toEqual(['Q Alpha', 'Q Gamma']);
      expect(await list(`filter: { ownerId: "${gid('User', seller)}" }`)).toEqual(['Q Alpha', 'Q Gamma']);
      // half-open: from <= createdAt < to; Alpha (03-01) is excluded by to
      expect(await list(`filter: { search: "Q ", createdAt: { from: "2024-01-15T00:00:00Z", to: "2024-03-01T00:00:00Z" } }`)).toEqual(['Q Beta', 'Q Gamma']);
      expect(await list(`filter: { search: "Q " }, orderBy: { field: CREATED_AT }`)).toEqual(['Q Beta', 'Q Gamma', 'Q Alpha']);
      expect(await list(`filter: { search: "Q " }, orderBy: { field: NAME, direction: DESC }`)).toEqual(['Q Gamma', 'Q Beta', 'Q Alpha']);
      // LIKE wildcards in the search text are literal
      expect(await list(`filter: { search: "Q_" }`)).toEqual([]);
    });

    it('refuses a filter value naming the filter field', async () => {
      const result = await app.gql(`query($s: String) { accounts(filter: { search: $s }) { totalCount } }`, { s: 'x'.repeat(201) });
      expect(firstError(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.search', message: expect.stringMatching(/^filter\.search: /) });
      const wrongType = await app.gql(`{ accounts(filter: { ownerId: "${gid('Account', 1)}" }) { totalCount } }`);
      expect(firstError(wrongType)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.ownerId' });
    });

    it('lists an account’s leads and opportunities with their own filters, order and counts', async () => {
      const a = ids.gamma!;
      const l1 = await insertLead(app.db, { email: 'g1@gamma.test', accountId: a, createdAt: '2024-02-02T00:00:00Z' });
      await insertLead(app.db, { email: 'g2@gamma.test', accountId: a, createdAt: '2024-02-03T00:00:00Z', stage: 'MQL', mqlAt: '2024-02-04T00:00:00Z' });
      await insertLead(app.db, { email: 'elsewhere@beta.test', accountId: ids.beta!, createdAt: '2024-02-02T00:00:00Z' });
      const o1 = await insertOpportunity(app.db, { accountId: a, name: 'Gamma new', createdAt: '2024-02-05T00:00:00Z', amount: '10.00' });
      await insertOpportunity(app.db, { accountId: a, name: 'Gamma renewal', kind: 'RENEWAL', createdAt: '2024-02-06T00:00:00Z', amount: '5.00' });
      await app.db.sql(`INSERT INTO opportunity_contacts VALUES ($1, $2)`, [o1, l1]);
      const data = await app.ok(
        `query($id: ID!) { account(id: $id) {
          all: leads { totalCount edges { node { email account { name } } } }
          mqls: leads(filter: { stages: [MQL] }) { totalCount edges { node { email } } }
          newestFirst: leads(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) { edges { node { email } } pageInfo { hasNextPage } }
          opportunities { totalCount edges { node { name account { name } contacts { email } } } }
          renewals: opportunities(filter: { kinds: [RENEWAL] }) { edges { node { name } } }
          byAmount: opportunities(orderBy: { field: AMOUNT }) { edges { node { name } } }
        } }`,
        { id: gid('Account', a) },
      );
      expect(data).toEqual({
        account: {
          all: { totalCount: 2, edges: [{ node: { email: 'g1@gamma.test', account: { name: 'Q Gamma' } } }, { node: { email: 'g2@gamma.test', account: { name: 'Q Gamma' } } }] },
          mqls: { totalCount: 1, edges: [{ node: { email: 'g2@gamma.test' } }] },
          newestFirst: { edges: [{ node: { email: 'g2@gamma.test' } }], pageInfo: { hasNextPage: true } },
          opportunities: {
            totalCount: 2,
            edges: [
              { node: { name: 'Gamma new', account: { name: 'Q Gamma' }, contacts: [{ email: 'g1@gamma.test' }] } },
              { node: { name: 'Gamma renewal', account: { name: 'Q Gamma' }, contacts: [] } },
            ],
          },
          renewals: { edges: [{ node: { name: 'Gamma renewal' } }] },
          byAmount: { edges: [{ node: { name: 'Gamma renewal' } }, { node: { name: 'Gamma new' } }] },
        },
      });
    });
  });
});
