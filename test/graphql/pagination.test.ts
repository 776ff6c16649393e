import { createTestApp, TestApp } from '../helpers/app';
import { firstError, gid, insertAccount, insertLead } from '../helpers/core-fixtures';

interface Page {
  totalCount: number;
  edges: { cursor: string; node: { email: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const LEADS = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: LeadOrder, $filter: LeadFilter) {
  leads(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
    totalCount edges { cursor node { email } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

/**
 * Keyset pagination: every list walks both ways without gaps or repeats, ties on the sort value
 * break on id, and bad page arguments are refused naming the argument.
 */
describe('connections', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    // inserted out of time order on purpose, so ids (1..7) do not follow createdAt:
    //   id 1 g 01-04 | id 2 c 01-02 | id 3 a 01-01 | id 4 f 01-03 | id 5 b 01-02 | id 6 e 01-03 | id 7 D 01-02
    const rows: [string, string][] = [
      ['g', '2024-01-04'], ['c', '2024-01-02'], ['a', '2024-01-01'], ['f', '2024-01-03'],
      ['b', '2024-01-02'], ['e', '2024-01-03'], ['D', '2024-01-02'],
    ];
    for (const [name, day] of rows) await insertLead(app.db, { email: `${name}@p.test`, createdAt: `${day}T09:00:00Z` });
  });
  afterAll(() => app.close());

  const page = async (vars: Record<string, unknown>) => (await app.ok<{ leads: Page }>(LEADS, vars)).leads;
  const emails = (p: Page) => p.edges.map((e) => e.node.email.charAt(0));

  // by (createdAt, id): a(01-01) | c(id 2) b(id 5) D(id 7) (01-02) | f(id 4) e(id 6) (01-03) | g(01-04)
  const ASC = ['a', 'c', 'b', 'D', 'f', 'e', 'g'];

  it('walks forward with first/after through ties without gaps or repeats', async () => {
    const pages: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const p: Page = await page({ first: 2, after });
      expect(p.totalCount).toBe(7);
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(p.pageInfo.startCursor).toBe(p.edges[0]?.cursor);
      expect(p.pageInfo.endCursor).toBe(p.edges[p.edges.length - 1]?.cursor);
      pages.push(emails(p));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(pages).toEqual([['a', 'c'], ['b', 'D'], ['f', 'e'], ['g']]);
  });

  it('walks backward with last/before to the same list', async () => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const p: Page = await page({ last: 2, before });
      expect(p.pageInfo.hasNextPage).toBe(before !== null);
      pages.push(emails(p));
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    // last 2 = e g; before e: a c b D f -> D f; before D: a c b -> c b; before c: a
    expect(pages).toEqual([['e', 'g'], ['D', 'f'], ['c', 'b'], ['a']]);
    expect(pages.reverse().flat()).toEqual(ASC);
  });

  it('turns around mid-list: an edge cursor works for after and for before', async () => {
    const all = await page({ first: 7 });
    expect(emails(all)).toEqual(ASC);
    const cursorOfB = all.edges[2]!.cursor;
    expect(emails(await page({ first: 3, after: cursorOfB }))).toEqual(['D', 'f', 'e']);
    expect(emails(await page({ last: 3, before: cursorOfB }))).toEqual(['a', 'c']);
  });

  it('orders descending with ties broken by id descending, both ways', async () => {
    const orderBy = { field: 'CREATED_AT', direction: 'DESC' };
    // 01-04 g | 01-03 e(id 6) f(id 4) | 01-02 D(id 7) b(id 5) c(id 2) | 01-01 a
    const DESC = ['g', 'e', 'f', 'D', 'b', 'c', 'a'];
    const first = await page({ first: 4, orderBy });
    expect(emails(first)).toEqual(DESC.slice(0, 4));
    const rest = await page({ first: 4, after: first.pageInfo.endCursor, orderBy });
    expect(emails(rest)).toEqual(DESC.slice(4));
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const back = await page({ last: 4, before: rest.pageInfo.startCursor, orderBy });
    expect(emails(back)).toEqual(DESC.slice(0, 4));
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });

  it('orders by email without case, and every ordering is stable between calls', async () => {
    const orderBy = { field: 'EMAIL' };
    const once = await page({ first: 10, orderBy });
    expect(emails(once)).toEqual(['a', 'b', 'c', 'D', 'e', 'f', 'g']);
    expect(await page({ first: 10, orderBy })).toEqual(once);
    const p2 = await page({ first: 3, after: once.edges[2]!.cursor, orderBy });
    expect(emails(p2)).toEqual(['D', 'e', 'f']);
  });

  it('gives an empty page with null cursors and totalCount 0 when nothing matches', async () => {
    const p = await page({ first: 5, filter: { stages: ['CUSTOMER'] } });
    expect(p).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('walks accounts with identical names without gaps or repeats (ties break on id)', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await insertAccount(app.db, { name: 'Same Name Inc' }));
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const data: { accounts: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } = await app.ok(
        `query($after: String) { accounts(first: 2, after: $after, filter: { search: "Same Name" }) {
           edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...data.accounts.edges.map((e) => e.node.id));
      if (!data.accounts.pageInfo.hasNextPage) break;
      after = data.accounts.pageInfo.endCursor;
    }
    expect(seen).toEqual(made.map((id) => gid('Account', id)));
  });

  describe('refuses bad page arguments naming the argument', () => {
    it.each([
      [{ first: 101 }, 'first', /first: must be between 0 and 100/],
      [{ last: 101 }, 'last', /last: must be between 0 and 100/],
      [{ first: -1 }, 'first', /first: must be between 0 and 100/],
      [{ first: 2, last: 2 }, 'last', /cannot be combined with first/],
      [{ first: 2, before: 'x' }, 'before', /needs last, not first/],
      [{ last: 2, after: 'x' }, 'after', /needs first, not last/],
      [{ after: 'bm90IGEgY3Vyc29y' }, 'after', /after: is not a cursor of this list/],
      [{ last: 2, before: '%%%' }, 'before', /before: is not a cursor of this list/],
    ])('%j', async (vars, field, message) => {
      const result = await app.gql(LEADS, vars);
      expect(result.data).toBeNull();
      expect(firstError(result)).toEqual({ code: 'BAD_USER_INPUT', field, message: expect.stringMatching(message) });
    });

    it('accepts exactly the limit', async () => {
      expect((await page({ first: 100 })).edges).toHaveLength(7);
    });

    it('refuses a cursor of another ordering', async () => {
      const byEmail = await page({ first: 1, orderBy: { field: 'EMAIL' } });
      const result = await app.gql(LEADS, { first: 1, after: byEmail.pageInfo.endCursor });
      expect(firstError(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'after', message: expect.stringMatching(/another ordering.*orderBy/) });
      const byDateDesc = await page({ first: 1, orderBy: { field: 'CREATED_AT', direction: 'DESC' } });
      const flipped = await app.gql(LEADS, { first: 1, after: byDateDesc.pageInfo.endCursor });
      expect(firstError(flipped)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    });

    it('refuses a forged cursor whose sort value is not of the sort column (not an internal error)', async () => {
      const forged = Buffer.from(JSON.stringify({ s: 'CREATED_AT:ASC', v: 'yesterday-ish', id: '1' })).toString('base64url');
      expect(firstError(await app.gql(LEADS, { first: 1, after: forged }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'after',
        message: 'after: is not a cursor of this list',
      });
      const hugeId = Buffer.from(JSON.stringify({ s: 'CREATED_AT:ASC', v: '2024-01-01 00:00:00+00', id: '9999999999999999999' })).toString('base64url');
      expect(firstError(await app.gql(LEADS, { first: 1, after: hugeId }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    });

    it('refuses an oversized page of a nested list naming the argument', async () => {
      await insertAccount(app.db);
      const result = await app.gql(`{ accounts(first: 1) { edges { node { leads(first: 101) { totalCount } } } } }`);
      expect(firstError(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'first', message: 'first: must be between 0 and 100' });
      expect(result.errors?.[0]?.path).toEqual(['accounts', 'edges', 0, 'node', 'leads']);
    });
  });
});

describe('time range filters', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('refuses a range whose end is not after its start, naming the filter field', async () => {
    const result = await app.gql(
      `{ leads(filter: { createdAt: { from: "2025-02-01T00:00:00Z", to: "2025-01-01T00:00:00Z" } }) { totalCount } }`,
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.createdAt.to' });
    const open = await app.ok<{ leads: { totalCount: number } }>(`{ leads(filter: { createdAt: { from: "2025-02-01T00:00:00Z" } }) { totalCount } }`);
    expect(open.leads.totalCount).toBe(0);
  });
});
