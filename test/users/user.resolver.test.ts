import { createTestApp, TestApp } from '../helpers/app';

describe('users', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id name email team createdAt } } }`;

  it('creates a user with a back-dated time and lists users by team', async () => {
    const { createUser } = await app.ok<{ createUser: { user: { id: string; team: string; createdAt: string } } }>(CREATE, {
      input: { name: 'Mia Marketer', email: 'mia@corp.test', team: 'MARKETING', createdAt: '2024-01-02T03:04:05.000Z' },
    });
    expect(createUser.user.team).toBe('MARKETING');
    expect(createUser.user.createdAt).toBe('2024-01-02T03:04:05.000Z');
    await app.ok(CREATE, { input: { name: 'Sam Seller', email: 'sam@corp.test', team: 'SALES' } });
    const data = await app.ok<{ users: { totalCount: number; edges: { node: { name: string } }[] } }>(
      `{ users(filter: { team: SALES }) { totalCount edges { node { name } } } }`,
    );
    expect(data.users.totalCount).toBe(1);
    expect(data.users.edges.map((e) => e.node.name)).toEqual(['Sam Seller']);
    const node = await app.ok<{ node: { __typename: string; email: string } }>(
      `query($id: ID!) { node(id: $id) { __typename ... on User { email } } }`,
      { id: createUser.user.id },
    );
    expect(node.node).toEqual({ __typename: 'User', email: 'mia@corp.test' });
  });

  it('refuses a duplicate email (any case) as a CONFLICT naming the field', async () => {
    await app.ok(CREATE, { input: { name: 'Rae', email: 'rae@corp.test', team: 'REVENUE_OPS' } });
    const result = await app.gql(CREATE, { input: { name: 'Rae 2', email: 'RAE@corp.test', team: 'REVENUE_OPS' } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
  });

  it('refuses a malformed email naming the field', async () => {
    const result = await app.gql(CREATE, { input: { name: 'X', email: 'not-an-email', team: 'SALES' } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(result.errors?.[0]?.message).toMatch(/^input\.email: /);
  });
});
