import { createTestDatabase, TestDatabase } from '../helpers/db';

/** The database itself refuses bad rows, so bulk loads that bypass the API obey the rules too. */
describe('database constraints', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql(`INSERT INTO users (name, email, team) VALUES ('Ann', 'ann@us.test', 'SALES')`);
    const [account] = await db.sql<{ id: string }>(
      `INSERT INTO accounts (name, domain, segment) VALUES ('Acme', 'acme.test', 'SMB') RETURNING id`,
    );
    expect(account!.id).toBe('1');
  });
  afterAll(() => db.drop());

  const rejects = (text: string, pattern: RegExp) => expect(db.sql(text)).rejects.toThrow(pattern);

  it('refuses negative money', async () => {
    await rejects(
      `INSERT INTO opportunities (account_id, name, kind, amount) VALUES (1, 'x', 'NEW_BUSINESS', -1)`,
      /check constraint/,
    );
    await rejects(`UPDATE accounts SET wallet_size = -0.01 WHERE id = 1`, /check constraint/);
  });

  it('sets closedAt exactly when an opportunity is closed, never before createdAt', async () => {
    await rejects(
      `INSERT INTO opportunities (account_id, name, kind, amount, stage) VALUES (1, 'x', 'NEW_BUSINESS', 1, 'CLOSED_WON')`,
      /check constraint/,
    );
    await rejects(
      `INSERT INTO opportunities (account_id, name, kind, amount, closed_at) VALUES (1, 'x', 'NEW_BUSINESS', 1, now())`,
      /check constraint/,
    );
    await rejects(
      `INSERT INTO opportunities (account_id, name, kind, amount, stage, created_at, closed_at)
       VALUES (1, 'x', 'NEW_BUSINESS', 1, 'CLOSED_LOST', '2024-02-01', '2024-01-01')`,
      /check constraint/,
    );
  });

  it('keeps domains, emails and external ids unique', async () => {
    await rejects(`INSERT INTO accounts (name, domain, segment) VALUES ('Again', 'acme.test', 'SMB')`, /accounts_domain_key/);
    await db.sql(`INSERT INTO leads (email) VALUES ('Bob@Acme.test')`);
    await rejects(`INSERT INTO leads (email) VALUES ('bob@acme.TEST')`, /leads_email_key/);
    await db.sql(`INSERT INTO campaigns (external_id, name, channel, owner_team, starts_on) VALUES ('c-1', 'A', 'EMAIL', 'MARKETING', '2024-01-01')`);
    await rejects(
      `INSERT INTO campaigns (external_id, name, channel, owner_team, starts_on) VALUES ('c-1', 'B', 'EMAIL', 'MARKETING', '2024-01-01')`,
      /campaigns_external_id_key/,
    );
  });

  it('refuses unknown enum values and dangling references', async () => {
    await rejects(`INSERT INTO accounts (name, domain, segment) VALUES ('X', 'x.test', 'HUGE')`, /check constraint/);
    await rejects(`INSERT INTO leads (email, account_id) VALUES ('x@x.test', 999)`, /foreign key/);
  });

  it('requires a reason exactly when feedback rejects a lead', async () => {
    const [lead] = await db.sql<{ id: string }>(`INSERT INTO leads (email) VALUES ('fb@acme.test') RETURNING id`);
    await rejects(`INSERT INTO lead_feedback (lead_id, disposition) VALUES (${lead!.id}, 'REJECTED')`, /check constraint/);
    await rejects(
      `INSERT INTO lead_feedback (lead_id, disposition, reason) VALUES (${lead!.id}, 'ACCEPTED', 'BAD_FIT')`,
      /check constraint/,
    );
  });
});
