import { countRows } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';

/** The real HTTP server on a free port: health, POST /graphql, and requests it must refuse cleanly. */
describe('HTTP server', () => {
  let http: HttpTestApp;
  const MAX_BODY = 20_000;
  beforeAll(async () => {
    http = await startHttpApp((config) => {
      config.limits.maxBodyBytes = MAX_BODY;
    });
  });
  afterAll(() => http.close());

  const base = () => http.url.replace(/\/graphql$/, '');
  const auth = () => ({ authorization: `Bearer ${http.adminKey}` });
  const CREATE = `mutation { createAccount(input: { name: "Wire Co", domain: "wire.test", segment: SMB }) { account { name domain } } }`;

  it('answers GET /health with 200 and the database up', async () => {
    const response = await fetch(`${base()}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('runs a query and a mutation sent as JSON by POST /graphql, echoing the request id', async () => {
    const mutation = await http.post({ query: CREATE }, { ...auth(), 'x-request-id': 'req-42' });
    expect(mutation.status).toBe(200);
    expect(mutation.headers.get('content-type')).toMatch(/^application\/json/);
    expect(mutation.headers.get('x-request-id')).toBe('req-42');
    expect(mutation.body).toEqual({ data: { createAccount: { account: { name: 'Wire Co', domain: 'wire.test' } } } });
    const query = await http.gql<{ accounts: { totalCount: number } }>(`query($d: String) { accounts(filter: { search: $d }) { totalCount } }`, { d: 'wire.test' });
    expect(query.status).toBe(200);
    expect(query.body).toEqual({ data: { accounts: { totalCount: 1 } } });
  });

  it('sends a typed GraphQL error with status 200 and no stack', async () => {
    const response = await http.gql(`{ accounts(first: 500) { totalCount } }`);
    expect(response.status).toBe(200);
    expect(response.body.errors?.[0]).toMatchObject({ message: 'first: must be between 0 and 100', extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
    expect(JSON.stringify(response.body)).not.toMatch(/stacktrace|\.ts:\d+/);
  });

  it('refuses a mutation sent by GET, and runs nothing', async () => {
    const before = await countRows(http.db, 'accounts');
    const url = `${http.url}?query=${encodeURIComponent(CREATE.replace('wire.test', 'get.test'))}`;
    const response = await fetch(url, { headers: { ...auth(), 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toMatch(/GET requests only support query operations/);
    expect(await countRows(http.db, 'accounts')).toBe(before);
    // a query by GET is fine
    const read = await fetch(`${http.url}?query=${encodeURIComponent('{ accounts { totalCount } }')}`, { headers: { ...auth(), 'apollo-require-preflight': 'true' } });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ data: { accounts: { totalCount: before } } });
  });

  it('refuses a body that is not JSON with 400', async () => {
    const response = await http.post('{"query": "{ accounts { totalCount } "', auth());
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a JSON body sent as text/plain (a CSRF-able simple request), and runs nothing', async () => {
    const before = await countRows(http.db, 'accounts');
    const response = await http.post({ query: CREATE.replace('wire.test', 'plain.test') }, { ...auth(), 'content-type': 'text/plain' });
    expect(response.status).toBe(400);
    expect(await countRows(http.db, 'accounts')).toBe(before);
  });

  it('refuses a body over the limit with 413 and keeps serving', async () => {
    const padding = 'x'.repeat(MAX_BODY + 1);
    const response = await http.post({ query: `{ accounts { totalCount } }`, variables: { padding } }, auth());
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ errors: [{ message: `request body exceeds ${MAX_BODY} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
    expect((await http.gql(`{ accounts { totalCount } }`)).status).toBe(200);
  });

  it('refuses a request without credentials with 401, and unknown paths with 404', async () => {
    const anonymous = await http.gql(`{ accounts { totalCount } }`, {}, { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const missing = await fetch(`${base()}/nowhere`);
    expect(missing.status).toBe(404);
  });
});
