import { createTestApp, TestApp } from '../helpers/app';
import { countRows, firstError, gid } from '../helpers/core-fixtures';

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id name email team externalId createdAt } } }`;
const USERS = `query($team: Team, $first: Int, $after: String) { users(filter: { team: $team }, first: $first, after: $after) {
  totalCount edges { node { name team } } pageInfo { hasNextPage endCursor } } }`;

/** Users own accounts and deals; `users` lists them by name. */
describe('users', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('creates a user with every field, and owns an account with it', async () => {
    const { createUser } = await app.ok<{ createUser: { user: { id: string } & Record<string, unknown> } }>(CREATE, {
      input: { name: '  Olive Owner ', email: 'olive@corp.test', team: 'SALES', externalId: 'hr-17', createdAt: '2022-05-01T00:00:00.000Z' },
    });
    expect(createUser.user).toEqual({ id: createUser.user.id, name: 'Olive Owner', email: 'olive@corp.test', team: 'SALES', externalId: 'hr-17', createdAt: '2022-05-01T00:00:00.000Z' });
    const owned = await app.ok(`mutation($owner: ID!) { createAccount(input: { name: "Owned", domain: "owned.test", segment: SMB, ownerId: $owner }) { account { owner { name team } } } }`, {
      owner: createUser.user.id,
    });
    expect(owned).toEqual({ createAccount: { account: { owner: { name: 'Olive Owner', team: 'SALES' } } } });
  });

  it.each([
    [{ name: '   ' }, 'BAD_USER_INPUT', 'input.name', /must not be blank/],
    [{ externalId: 'hr-17' }, 'CONFLICT', 'input.externalId', /already taken/],
    [{ email: 'OLIVE@corp.test' }, 'CONFLICT', 'input.email', /already taken/],
    [{ createdAt: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.createdAt', /cannot be in the future/],
  ])('refuses %j naming the field and creates nothing', async (bad, code, field, message) => {
    const before = await countRows(app.db, 'users');
    const result = await app.gql(CREATE, { input: { name: 'New', email: 'new@corp.test', team: 'MARKETING', ...bad } });
    expect(firstError(result)).toEqual({ code, field, message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: .*${message.source}`)) });
    expect(await countRows(app.db, 'users')).toBe(before);
  });

  it('lists users by name, filtered by team, page by page', async () => {
    const rows: [string, string][] = [['Zed', 'MARKETING'], ['Amy', 'MARKETING'], ['Max', 'EXECUTIVE'], ['Bea', 'MARKETING']];
    for (const [name, team] of rows) {
      await app.db.sql(`INSERT INTO users (name, email, team) VALUES ($1, $2, $3)`, [name, `${name.toLowerCase()}@corp.test`, team]);
    }
    type Users = { users: { totalCount: number; edges: { node: { name: string; team: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const first = await app.ok<Users>(USERS, { team: 'MARKETING', first: 2 });
    expect(first.users.totalCount).toBe(3);
    expect(first.users.edges.map((e) => e.node.name)).toEqual(['Amy', 'Bea']);
    const second = await app.ok<Users>(USERS, { team: 'MARKETING', first: 2, after: first.users.pageInfo.endCursor });
    expect(second.users.edges.map((e) => e.node.name)).toEqual(['Zed']);
    expect(second.users.pageInfo.hasNextPage).toBe(false);
    const all = await app.ok<Users>(USERS, {});
    expect(all.users.edges.map((e) => e.node.name)).toEqual(['Amy', 'Bea', 'Max', 'Olive Owner', 'Zed']);
    const node = await app.ok(`query($id: ID!) { node(id: $id) { ... on User { name } } }`, { id: gid('User', 1) });
    expect(node).toEqual({ node: { name: 'Olive Owner' } });
  });
});
