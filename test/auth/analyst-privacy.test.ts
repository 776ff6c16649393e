import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';

/** An ANALYST sees no personal data, and cannot find it out by searching or ordering on it. */
describe('ANALYST privacy', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    const { createAccount } = await app.ok<{ createAccount: { account: { id: string } } }>(
      `mutation { createAccount(input: { name: "Acme", domain: "acme.test", segment: SMB }) { account { id } } }`,
    );
    await app.ok(`mutation($a: ID!) { createLead(input: { email: "ceo@acme.test", firstName: "Ada", accountId: $a }) { lead { id } } }`, {
      a: createAccount.account.id,
    });
  });
  afterAll(() => app.close());

  it('refuses a search on email or name, at the top level and under an account', async () => {
    const top = await app.gql(`{ leads(filter: { search: "ceo@acme" }) { totalCount } }`, {}, Role.ANALYST);
    expect(top.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const nested = await app.gql(`{ accounts { edges { node { leads(filter: { search: "Ada" }) { totalCount } } } } }`, {}, Role.ANALYST);
    expect(nested.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // the same searches are fine for a role that sees the data
    expect((await app.ok<{ leads: { totalCount: number } }>(`{ leads(filter: { search: "ceo@acme" }) { totalCount } }`, {}, Role.EXECUTIVE)).leads.totalCount).toBe(1);
  });

  it('refuses ordering by email, but allows other orders and filters', async () => {
    const byEmail = await app.gql(`{ leads(orderBy: { field: EMAIL }) { totalCount } }`, {}, Role.ANALYST);
    expect(byEmail.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const data = await app.ok<{ leads: { edges: { node: { email: string; firstName: string } }[] } }>(
      `{ leads(orderBy: { field: CREATED_AT }, filter: { stages: [NEW] }) { edges { node { email firstName } } } }`,
      {},
      Role.ANALYST,
    );
    expect(data.leads.edges).toHaveLength(1);
    expect(data.leads.edges[0]?.node.email).toMatch(/^redacted-[0-9a-f]{16}@example\.invalid$/);
    expect(data.leads.edges[0]?.node.firstName).toBe('[redacted]');
  });
});
