import { countRows } from '../helpers/core-fixtures';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';

/** One address, one lead: what looks like the same email is the same email, or it is refused. */
describe('emails and domains as identities, over HTTP', () => {
  let api: HttpTestApp;
  beforeAll(async () => {
    api = await startHttpApp();
  });
  afterAll(() => api.close());

  const outcome = async (query: string, variables: Record<string, unknown>) => {
    const res = await api.gql<Record<string, { lead?: { email: string }; user?: { email: string }; account?: { domain: string } }>>(query, variables);
    const error = res.body.errors?.[0];
    return error ? { code: error.extensions?.code, field: error.extensions?.field, message: error.message } : { data: res.body.data };
  };
  const createLead = (email: string) => outcome(`mutation($e: String!) { createLead(input: { email: $e }) { lead { email } } }`, { e: email });
  const createUser = (email: string) =>
    outcome(`mutation($e: String!) { createUser(input: { name: "Ida", email: $e, team: SALES }) { user { email } } }`, { e: email });

  it.each([
    ['a zero-width space', 'ada\u200b@acme.test', '200B'],
    ['a right-to-left override', 'ada\u202e@acme.test', '202E'],
    ['a zero-width joiner', 'a\u200dda@acme.test', '200D'],
    ['a left-to-right isolate', 'ada@\u2066acme.test', '2066'],
    ['a soft hyphen', 'a\u00adda@acme.test', '00AD'],
    ['a byte order mark', 'ada@ac\ufeffme.test', 'FEFF'],
    ['a Hangul filler', 'ada\u3164@acme.test', '3164'],
  ])('refuses %s inside an email: BAD_USER_INPUT naming input.email, and no second lead', async (_what, email, codePoint) => {
    expect((await createLead('ada@acme.test')).code ?? 'created').toMatch(/created|CONFLICT/);
    const before = await countRows(api.db, 'leads');
    expect(await createLead(email)).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.email',
      message: expect.stringMatching(new RegExp(`^input\\.email: must not contain control, invisible or space characters \\(U\\+${codePoint} `)),
    });
    expect(await countRows(api.db, 'leads')).toBe(before);
  });

  it('stores an email in lower case and NFC: a decomposed "ü" is the same lead as the composed one', async () => {
    expect(await createLead('Jürgen.Müller@Example.TEST')).toEqual({ data: { createLead: { lead: { email: 'jürgen.müller@example.test' } } } });
    const decomposed = 'ju\u0308rgen.mu\u0308ller@example.test';
    expect(decomposed).not.toBe('jürgen.müller@example.test');
    expect(await createLead(decomposed)).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
    expect(await countRows(api.db, 'leads', `email LIKE 'j%rgen.m%ller@example.test'`)).toBe(1);
  });

  it('applies the same rules to updateLead and createUser', async () => {
    const created = await outcome(`mutation { createLead(input: { email: "upd-me@acme.test" }) { lead { id } } }`, {});
    const id = (created.data?.createLead as unknown as { lead: { id: string } }).lead.id;
    const update = (email: string) => outcome(`mutation($id: ID!, $e: String) { updateLead(input: { id: $id, email: $e }) { lead { email } } }`, { id, e: email });
    expect(await update('upd\u200bme@acme.test')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(await update('UPD.Me@Acme.test')).toEqual({ data: { updateLead: { lead: { email: 'upd.me@acme.test' } } } });
    expect(await createUser('ida\u202e@corp.test')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(await createUser('Ida@Corp.TEST')).toEqual({ data: { createUser: { user: { email: 'ida@corp.test' } } } });
    expect(await createUser('ida@corp.test\u2060')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
  });

  it('refuses control and invisible characters in a domain, saying so', async () => {
    const create = (domain: string) => outcome(`mutation($d: String!) { createAccount(input: { name: "Acme", domain: $d, segment: SMB }) { account { domain } } }`, { d: domain });
    expect(await create('acme\u200b.test')).toEqual({ code: 'BAD_USER_INPUT', field: 'input.domain', message: expect.stringMatching(/^input\.domain: must not contain control, invisible or space characters \(U\+200B /) });
    expect(await create('\u202eacme.test')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.domain', message: expect.stringMatching(/invisible/) });
    expect(await create(' HTTPS://www.Acme-Domain.TEST/about ')).toEqual({ data: { createAccount: { account: { domain: 'acme-domain.test' } } } });
  });

  it('has the database refuse such an email from a writer that bypasses the API', async () => {
    for (const sql of [`INSERT INTO leads (email, stage) VALUES ($1, 'NEW')`, `INSERT INTO users (name, email, team) VALUES ('X', $1, 'SALES')`]) {
      await expect(api.db.sql(sql, ['sql\u200b@acme.test'])).rejects.toMatchObject({ driverError: { code: '23514' } });
      await expect(api.db.sql(sql, ['sql\u202e@acme.test'])).rejects.toMatchObject({ driverError: { code: '23514' } });
    }
    const [{ encoding }] = (await api.db.sql<{ encoding: string }>(`SELECT current_setting('server_encoding') AS encoding`)) as [{ encoding: string }];
    expect(encoding).toBe('UTF8'); // the constraint is only added to UTF8 databases
    const [{ validated }] = (await api.db.sql<{ validated: boolean }>(
      `SELECT bool_and(convalidated) AS validated FROM pg_constraint WHERE conname IN ('leads_email_visible', 'users_email_visible')`,
    )) as [{ validated: boolean }];
    expect(validated).toBe(true);
  });
});
