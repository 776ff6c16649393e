import type { ApolloServer } from '@apollo/server';
import { Role } from '../../src/auth/roles';
import { Config, loadConfig } from '../../src/config';
import { sqlPagesOf } from '../../src/graphql/apollo';
import type { Context } from '../../src/graphql/context';
import { SqlPages } from '../../src/graphql/sql-pages';
import { gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { runOperation, startEngine } from '../helpers/engines';

/**
 * Lists answered in one statement whose JSON PostgreSQL builds (src/graphql/sql-pages.ts) answer
 * exactly what graphql-js answers through the resolvers: the same bytes for the same operation,
 * through fragments, aliases, directives, cursors, both directions of paging and filters, on text
 * that JSON must escape, times before 1970 and before year 100, and nulls. What it does not answer
 * (a field with a resolver, a masked caller, a score order, bad arguments, forged cursors, a value
 * it cannot write) runs through the resolvers, with the same answer or error.
 */
describe('lists answered in one statement', () => {
  let db: TestDatabase;
  let reference: ApolloServer<Context>;
  let planned: ApolloServer<Context>;
  let pages: SqlPages;
  let config: Config;
  const ids: Record<string, string> = {};

  const engine = (executor: Config['graphqlJit']) => startEngine(config, executor);
  const run = (apollo: ApolloServer<Context>, query: string, variables?: Record<string, unknown>, role: Role = Role.ADMIN) =>
    runOperation(apollo, db, config, query, variables, role);

  beforeAll(async () => {
    db = await createTestDatabase();
    config = { ...loadConfig(), production: false };
    reference = await engine({ enabled: false, compileAfterRuns: 2, sqlPages: false });
    planned = await engine({ enabled: false, compileAfterRuns: 2, sqlPages: true });
    pages = sqlPagesOf(planned)!;
    ids.User = await insertUser(db, 'SALES', 'Owner "O"');
    // names JSON must escape: quotes, backslashes, control characters, non-ASCII, a percent sign
    ids.A = await insertAccount(db, { name: 'Quote "A" \\ back\tslash\u0001 ünï 😀 100%', segment: 'ENTERPRISE', walletSize: '100000.50', ownerId: ids.User, createdAt: '1969-12-31T23:59:59.999999Z' });
    ids.B = await insertAccount(db, { name: "O'Brien & Co", segment: 'SMB', createdAt: '2024-02-29T12:00:00.123456Z' });
    ids.C = await insertAccount(db, { name: 'Zeta_Ltd', segment: 'MID_MARKET', walletSize: '7' });
    await db.sql(`UPDATE accounts SET industry = 'Line\nbreak', created_at = '0050-06-01 00:00:00.123456+00' WHERE id = $1`, [ids.C]);
    ids.Campaign = await insertCampaign(db, { name: 'Webinar', channel: 'WEBINAR', startsOn: '2023-12-01', endsOn: '2024-06-30' });
    await db.sql(`UPDATE campaigns SET budget = 2500.5 WHERE id = $1`, [ids.Campaign]);
    for (let i = 0; i < 4; i += 1) {
      const lead = await insertLead(db, { accountId: ids.A, stage: i % 2 ? 'MQL' : 'NEW', createdAt: `2024-01-0${i + 1}T00:00:00.00${i}5Z`, mqlAt: i % 2 ? `2024-01-0${i + 2}T00:00:00Z` : null });
      ids[`Lead${i}`] = lead;
      for (let j = 0; j < 3; j += 1) await insertTouch(db, lead, ids.Campaign, `2024-01-0${i + 1}T1${j}:00:00.5Z`, j ? 'WEBINAR_ATTENDED' : 'AD_CLICK');
    }
    await db.sql(`UPDATE leads SET first_name = 'Ana "Q"', last_name = NULL, title = E'CTO\\u2028' WHERE id = $1`, [ids.Lead0]);
    ids.LeadB = await insertLead(db, { accountId: ids.B, stage: 'SQL', createdAt: '2024-03-01T00:00:00Z' });
    for (let i = 0; i < 3; i += 1) {
      await insertOpportunity(db, { accountId: ids.A, name: `Deal ${i}`, amount: `${1000 + i}.0${i}`, stage: i ? 'PROSPECTING' : 'CLOSED_WON', createdAt: `2024-0${i + 1}-10T00:00:00Z`, closedAt: i ? null : '2024-05-01T00:00:00Z' });
    }
  });
  afterAll(async () => {
    await planned?.stop();
    await reference?.stop();
    await db?.drop();
  });

  /** Runs an operation through both engines; the planned one must answer byte for byte the same. */
  const compare = async (query: string, variables?: Record<string, unknown>, role?: Role) => {
    const before = pages.answered;
    const expected = await run(reference, query, variables, role);
    const actual = await run(planned, query, variables, role);
    expect(actual).toEqual(expected);
    const answered = pages.answered - before;
    // as the HTTP door writes it: PostgreSQL's JSON text as it is (its own spacing), the same values
    const written = await runOperation(planned, db, config, query, variables, role, true);
    expect([written.status, JSON.parse(written.text)]).toEqual([expected.status, JSON.parse(expected.text)]);
    expect(pages.answered - before).toBe(2 * answered);
    return { answered, body: JSON.parse(expected.text) as { data?: unknown; errors?: { message: string }[] } };
  };

  const NESTED = `query Nested {
    accounts(first: 50, orderBy: { field: NAME, direction: ASC }) {
      edges { node {
        id name domain
        opportunities(first: 10, orderBy: { field: CREATED_AT, direction: DESC }) { edges { node { id name amount stage createdAt } } }
        leads(first: 10, orderBy: { field: CREATED_AT, direction: ASC }) {
          edges { node { id email stage createdAt touchpoints(first: 5) { edges { node { id kind occurredAt } } } } }
        }
      } }
    }
  }`;
  const EVERY_FIELD = `{
    __typename
    accounts(first: 10) {
      __typename totalCount
      pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
      edges { __typename cursor node { __typename id externalId name domain segment industry walletSize createdAt updatedAt version
        leads(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id externalId email firstName lastName title stage createdAt mqlAt salAt sqlAt opportunityAt customerAt recycledAt disqualifiedAt erasedAt updatedAt version
            touchpoints(first: 2) { totalCount edges { cursor node { id externalId kind occurredAt createdAt updatedAt } } } } } }
        opportunities(first: 2) { totalCount edges { node { id externalId name kind stage amount lostReason createdAt closedAt updatedAt version } } }
      } }
    }
  }`;

  const answered: [string, () => [string, Record<string, unknown>?]][] = [
    ['the benchmark nested page', () => [NESTED]],
    ['every column field, cursors, pageInfo and counts at every level', () => [EVERY_FIELD]],
    [
      'aliases, a fragment, an inline fragment and a field asked twice',
      () => [
        `fragment L on Lead { id e: email stage } query { a: accounts(first: 2) { x: edges { node { ...L2 n: name name } } y: edges { cursor } }
          b: accounts(last: 1) { edges { node { ... on Account { name leads(first: 1) { edges { node { ...L } } } } } } } }
          fragment L2 on Account { id name leads { edges { node { ...L } } } }`,
      ],
    ],
    ['@skip and @include from variables', () => [`query($s: Boolean!, $i: Boolean!) { accounts(first: 3) { totalCount @skip(if: $s) edges { node { name @include(if: $i) domain @include(if: $s) } } } }`, { s: true, i: true }]],
    ['a backward page with pageInfo', () => [`{ accounts(last: 2) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } } } }`]],
    ['only counts, over many rows and over none', () => [`{ accounts(first: 5) { totalCount } leads(filter: { createdAt: { from: "2030-01-01T00:00:00Z" } }) { totalCount } }`]],
    ['only __typename of a page', () => [`{ accounts { __typename } }`]],
    ['an empty page (first: 0)', () => [`{ accounts(first: 0) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { name } } } }`]],
    ['an account with no leads', () => [`{ accounts(first: 5, orderBy: { field: NAME, direction: DESC }) { edges { node { name leads(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { node { email } } } } } } }`]],
    ['filters with text LIKE must escape', () => [`query($q: String) { accounts(first: 5, filter: { search: $q }) { totalCount edges { node { name } } } }`, { q: '100%' }]],
    ['a list of enums in filters', () => [`{ accounts(first: 5, filter: { segments: [SMB, ENTERPRISE] }) { edges { node { name leads(first: 5, filter: { stages: [MQL] }) { edges { node { stage mqlAt } } } } } } }`]],
    ['touchpoints filtered by kind', () => [`{ accounts(first: 1, filter: { segments: [ENTERPRISE] }) { edges { node { leads(first: 4) { edges { node { touchpoints(first: 5, filter: { kinds: [AD_CLICK] }) { totalCount edges { node { kind } } } } } } } } } }`]],
    [
      'the rows a row points at: owners, accounts, campaigns and leads, present or not',
      () => [
        `{ accounts(first: 5) { edges { node { name owner { __typename id name email team createdAt }
            opportunities(first: 2) { edges { node { name account { name } owner { name } } } }
            leads(first: 2) { edges { node { email account { id name leads(first: 1) { totalCount } }
              touchpoints(first: 2) { edges { node { kind campaign { id name channel ownerTeam startsOn endsOn budget version } lead { email } } } } } } } } } }
           touchpoints(first: 2) { edges { node { lead { email account { name owner { name } } } } } } }`,
      ],
    ],
    ['the root leads, opportunities and touchpoints lists', () => [`{ leads(first: 3) { totalCount edges { cursor node { email } } } opportunities(first: 2, orderBy: { field: AMOUNT, direction: DESC }) { edges { node { name amount } } } touchpoints(last: 2) { edges { node { kind occurredAt } } } }`]],
  ];

  for (const [name, make] of answered) {
    it(`answers in one statement as graphql-js does: ${name}`, async () => {
      const [query, variables] = make();
      const { answered: n, body } = await compare(query, variables);
      expect(body.errors).toBeUndefined();
      expect(n).toBe(1);
    });
  }

  it('pages on with cursors it wrote, forwards and backwards', async () => {
    const first = await compare(`{ accounts(first: 1) { pageInfo { endCursor } edges { node { leads(first: 1) { pageInfo { endCursor } } } } } }`);
    const data = first.body.data as { accounts: { pageInfo: { endCursor: string }; edges: { node: { leads: { pageInfo: { endCursor: string } } } }[] } };
    const after = data.accounts.pageInfo.endCursor;
    const next = await compare(`query($after: String) { accounts(first: 1, after: $after) { pageInfo { hasPreviousPage hasNextPage startCursor } edges { node { name } } } }`, { after });
    expect(next.answered).toBe(1);
    const back = await compare(`query($before: String) { accounts(last: 5, before: $before) { pageInfo { hasPreviousPage hasNextPage } edges { node { name } } } }`, { before: after });
    expect(back.answered).toBe(1);
    const leadCursor = data.accounts.edges[0]!.node.leads.pageInfo.endCursor;
    const leads = await compare(`query($after: String) { accounts(first: 1) { edges { node { leads(first: 2, after: $after) { pageInfo { hasPreviousPage } edges { node { email } } } } } } }`, { after: leadCursor });
    expect(leads.answered).toBe(1);
  });

  const leftToResolvers: [string, () => [string, Record<string, unknown>?, Role?]][] = [
    ['a field with a resolver of its own', () => [`{ accounts(first: 2) { edges { node { name walletShare { revenue12m } } } } }`]],
    ['a masked caller (ANALYST)', () => [`{ accounts(first: 2) { edges { node { name leads(first: 2) { edges { node { email } } } } } } }`, undefined, Role.ANALYST]],
    ['a lead list ordered by score', () => [`{ leads(first: 2, orderBy: { field: SCORE, direction: DESC }) { edges { node { email } } } }`]],
    ['a page over the limit', () => [`{ accounts(first: 1) { edges { node { name leads(first: 100000) { totalCount } } } } }`]],
    ['a search too long for its validation rule', () => [`query($q: String) { accounts(first: 1, filter: { search: $q }) { totalCount } }`, { q: 'x'.repeat(500) }]],
    ['a cursor of another ordering', () => [`query($a: String) { accounts(first: 1, after: $a) { totalCount } }`, { a: Buffer.from(JSON.stringify({ s: 'createdAt:ASC', v: 'x', id: '1' })).toString('base64url') }]],
    ['a forged cursor whose value the column cannot take', () => [`query($a: String) { leads(first: 1, after: $a) { totalCount } }`, { a: Buffer.from(JSON.stringify({ s: 'createdAt:ASC', v: 'not a time', id: '1' })).toString('base64url') }]],
    ['a bad variable', () => [`query($first: Int) { accounts(first: $first) { totalCount } }`, { first: 'ten' }]],
    ['a root field that is not a list', () => [`query($id: ID!) { account(id: $id) { name } }`, { id: gid('Account', '1') }]],
    ['introspection beside a list', () => [`{ __type(name: "Account") { name } accounts(first: 1) { totalCount } }`]],
  ];

  const REFUSED = new Set([
    'a page over the limit',
    'a search too long for its validation rule',
    'a cursor of another ordering',
    'a forged cursor whose value the column cannot take',
    'a bad variable',
  ]);

  for (const [name, make] of leftToResolvers) {
    it(`leaves to the resolvers, with the same answer: ${name}`, async () => {
      const [query, variables, role] = make();
      const { answered: n, body } = await compare(query, variables, role);
      expect(n).toBe(0);
      // valid operations are answered with data, by the resolvers; the others get their errors
      expect(!!body.errors).toBe(REFUSED.has(name));
    });
  }

  it('leaves a time it cannot write (year 10000) to the resolvers, which answer as graphql-js does', async () => {
    const account = await insertAccount(db, { name: 'Far future', segment: 'SMB' });
    await db.sql(`UPDATE accounts SET created_at = '10000-01-01 00:00:00+00' WHERE id = $1`, [account]);
    try {
      const declined = pages.declined;
      const { answered: n, body } = await compare(`{ accounts(first: 10, filter: { search: "Far future" }) { edges { node { name createdAt } } } }`);
      expect(n).toBe(0);
      // declined once by each run of compare() that plans it (through the engine, and as the HTTP door runs it)
      expect(pages.declined).toBe(declined + 2);
      expect(JSON.stringify(body)).toContain('Far future');
    } finally {
      await db.sql(`DELETE FROM accounts WHERE id = $1`, [account]);
    }
  });

  it('sends one statement for the whole nested page', async () => {
    const statements: string[] = [];
    const original = db.ds.manager.query.bind(db.ds.manager);
    const spy = jest.spyOn(db.ds.manager, 'query').mockImplementation((text: string, params?: unknown[]) => {
      statements.push(text);
      return original(text, params);
    });
    try {
      await run(planned, NESTED);
    } finally {
      spy.mockRestore();
    }
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT json_build_object/);
  });
});
