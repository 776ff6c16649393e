import type { ApolloServer } from '@apollo/server';
import { OperationDefinitionNode, parse } from 'graphql';
import { Role } from '../../src/auth/roles';
import { Config, loadConfig } from '../../src/config';
import { Context, createContext } from '../../src/graphql/context';
import { JitExecutor } from '../../src/graphql/jit-executor';
import { buildAppSchema } from '../../src/graphql/schema';
import { silentLogger, testActor } from '../helpers/app';
import { gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { runOperation, startEngine } from '../helpers/engines';

/**
 * Operations compiled by graphql-jit answer exactly what graphql-js answers: the same data, and
 * the same errors once formatted (message, path, code, field), variables coerced the same way.
 */
describe('the graphql-jit executor', () => {
  let db: TestDatabase;
  let interpreted: ApolloServer<Context>;
  let compiled: ApolloServer<Context>;
  let config: Config;
  const ids: Record<string, string> = {};

  const engine = (jit: Config['graphqlJit']) => startEngine(config, jit);
  const run = async (apollo: ApolloServer<Context>, query: string, variables?: Record<string, unknown>, role: Role = Role.ADMIN) => {
    const { status, text } = await runOperation(apollo, db, config, query, variables, role);
    return { status, body: JSON.parse(text) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    config = { ...loadConfig(), production: false };
    interpreted = await engine({ enabled: false, compileAfterRuns: 2, sqlPages: false });
    // compiled from the first run on
    compiled = await engine({ enabled: true, compileAfterRuns: 1, sqlPages: false });
    ids.User = await insertUser(db, 'SALES', 'Jit Owner');
    ids.Account = await insertAccount(db, { name: 'Jit Co', ownerId: ids.User, segment: 'ENTERPRISE', walletSize: '100000.00' });
    ids.Account2 = await insertAccount(db, { name: 'Another Jit Co', segment: 'SMB' });
    ids.Campaign = await insertCampaign(db, { name: 'Jit Webinar', channel: 'WEBINAR' });
    for (let i = 0; i < 3; i += 1) {
      const lead = await insertLead(db, { accountId: ids.Account, stage: i ? 'MQL' : 'NEW', createdAt: `2024-01-0${i + 1}T00:00:00Z`, mqlAt: i ? `2024-01-0${i + 2}T00:00:00Z` : null });
      ids[`Lead${i}`] = lead;
      await insertTouch(db, lead, ids.Campaign, `2024-01-0${i + 1}T12:00:00Z`, 'WEBINAR_ATTENDED');
    }
    ids.Opportunity = await insertOpportunity(db, { accountId: ids.Account, name: 'Jit Deal', amount: '5000.00', stage: 'CLOSED_WON', createdAt: '2024-01-10T00:00:00Z', closedAt: '2024-02-01T00:00:00Z' });
  });
  afterAll(async () => {
    await compiled?.stop();
    await interpreted?.stop();
    await db?.drop();
  });

  const NESTED = `query Nested($first: Int!) {
    accounts(first: $first, orderBy: { field: NAME }) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id name segment walletSize createdAt owner { id name }
        leads(first: 5) { edges { node { id email stage createdAt touchpoints(first: 5) { edges { node { kind occurredAt campaign { name channel } } } } } } }
        opportunities(first: 5) { edges { node { name amount stage } } }
      } }
    }
  }`;

  const cases: [string, () => [string, Record<string, unknown>?, Role?]][] = [
    ['a nested page of connections', () => [NESTED, { first: 10 }]],
    ['the same page, second run', () => [NESTED, { first: 10 }]],
    ['aliases and a fragment', () => [`fragment A on Account { name n: name segment } { a: accounts(first: 1) { edges { node { ...A x: id } } } b: accounts(last: 1) { edges { node { ...A } } } }`]],
    [
      'node(id) with inline fragments',
      () => [`query($id: ID!, $lead: ID!) { a: node(id: $id) { __typename id ... on Account { name owner { name } } ... on Lead { email } } l: node(id: $lead) { __typename ... on Lead { email stage } } }`, { id: gid('Account', ids.Account!), lead: gid('Lead', ids.Lead1!) }],
    ],
    ['an input object with an enum and its default direction', () => [`query($o: AccountOrder) { accounts(first: 5, orderBy: $o) { edges { node { name } } } }`, { o: { field: 'NAME' } }]],
    ['a descending order given', () => [`query($o: AccountOrder) { accounts(first: 5, orderBy: $o) { edges { node { name } } } }`, { o: { field: 'NAME', direction: 'DESC' } }]],
    ['a list of enums in a filter', () => [`query($s: [Segment!]) { accounts(first: 5, filter: { segments: $s }) { totalCount edges { node { name segment } } } }`, { s: ['SMB'] }]],
    ['a variable default', () => [`query($first: Int = 1) { accounts(first: $first) { edges { node { name } } } }`]],
    [
      'a metric query with input defaults',
      () => [
        `query($input: AttributionComparisonInput!) { attributionComparison(input: $input) { by from to totalRevenue rows { channel campaign { name } revenue { firstTouch lastTouch linear } } totals { firstTouch linear } } }`,
        { input: { window: { from: '2024-01-01T00:00:00Z', to: '2024-12-31T00:00:00Z' } } },
      ],
    ],
    ['an error from a resolver (a malformed id)', () => [`{ account(id: "not-an-id") { name } }`]],
    ['an error inside a list (a page too large)', () => [`{ accounts(first: 1) { edges { node { name leads(first: 100000) { totalCount } } } } }`]],
    ['a bad variable', () => [`query($first: Int) { accounts(first: $first) { totalCount } }`, { first: 'ten' }]],
    ['a bad enum in a variable', () => [`query($o: AccountOrder) { accounts(first: 1, orderBy: $o) { totalCount } }`, { o: { field: 'SIZE' } }]],
    ['a root field refused to a role', () => [`{ apiKeys(first: 1) { totalCount } }`, undefined, Role.SALES]],
    ['introspection', () => [`{ __type(name: "Node") { kind possibleTypes { name } } __typename }`]],
  ];

  for (const [name, make] of cases) {
    it(`answers like graphql-js: ${name}`, async () => {
      const [query, variables, role] = make();
      const expected = await run(interpreted, query, variables, role);
      const actual = await run(compiled, query, variables, role);
      expect(actual).toEqual(expected);
    });
  }

  it('runs an operation with graphql-js until its Nth run, then compiled', async () => {
    const schema = await buildAppSchema();
    const executor = new JitExecutor(schema, { compileAfterRuns: 3 });
    const query = `{ accounts(first: 2) { totalCount edges { node { name } } } }`;
    const document = parse(query);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const context = createContext({ ds: db.ds, config, logger: silentLogger, requestId: 'jit-test', actor: testActor(Role.ADMIN) });
    const results = [];
    for (let i = 1; i <= 4; i += 1) {
      results.push(await executor.execute({ document, operation, source: query, operationName: null, context }));
      expect(executor.isCompiled(query, null)).toBe(i >= 3);
    }
    expect(executor.compilations).toBe(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]!.data).toMatchObject({ accounts: { totalCount: 2 } });
  });
});
