import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';

/*
 * docs/clients.md states which requests pass the CSRF rule and what docs/codegen.example.yml maps:
 * both checked against the real server and the committed schema.
 */
const root = join(__dirname, '..', '..');
const QUERY = '{ accounts(first: 1) { totalCount } }';

describe('docs/clients.md: the CSRF rule, as the server applies it', () => {
  let http: HttpTestApp;
  beforeAll(async () => {
    http = await startHttpApp();
  });
  afterAll(() => http.close());

  const auth = () => ({ authorization: `Bearer ${http.adminKey}` });
  const get = (headers: Record<string, string>) => fetch(`${http.url}?query=${encodeURIComponent(QUERY)}`, { headers: { ...auth(), ...headers } });
  const post = (contentType: string, headers: Record<string, string> = {}) =>
    fetch(http.url, { method: 'POST', headers: { ...auth(), 'content-type': contentType, ...headers }, body: JSON.stringify({ query: QUERY }) });
  const ran = async (response: Response) => ({ status: response.status, ran: ((await response.json()) as { data?: unknown }).data !== undefined });

  it('runs a JSON POST, and a GET or a simple POST only with a preflight header', async () => {
    expect(await ran(await post('application/json'))).toEqual({ status: 200, ran: true });
    expect(await ran(await get({ 'apollo-require-preflight': 'true' }))).toEqual({ status: 200, ran: true });
    expect(await ran(await get({ 'x-apollo-operation-name': 'Accounts' }))).toEqual({ status: 200, ran: true });
    expect(await ran(await post('text/plain', { 'apollo-require-preflight': 'true' }))).toEqual({ status: 200, ran: true });
    expect(await ran(await get({}))).toEqual({ status: 400, ran: false });
    expect(await ran(await post('text/plain'))).toEqual({ status: 400, ran: false });
    expect(await ran(await post('application/x-www-form-urlencoded'))).toEqual({ status: 400, ran: false });
  });

  it('documents the allowed headers it sends on a CORS preflight', () => {
    const doc = readFileSync(join(root, 'docs', 'clients.md'), 'utf8');
    for (const header of ['apollo-require-preflight', 'x-apollo-operation-name', 'CORS_ORIGINS', 'preferGetMethod: false', 'useGETForQueries']) {
      expect(doc).toContain(header);
    }
  });
});

describe('docs/codegen.example.yml', () => {
  it('maps every custom scalar of the committed schema, and only those', () => {
    const sdl = readFileSync(join(root, 'schema', 'schema.graphql'), 'utf8');
    const scalars = [...sdl.matchAll(/^scalar (\w+)/gm)].map((m) => m[1]).sort();
    const yml = readFileSync(join(root, 'docs', 'codegen.example.yml'), 'utf8');
    const block = yml.slice(yml.indexOf('      scalars:'));
    const mapped = [...block.matchAll(/^ {8}(\w+):\s*$/gm)].map((m) => m[1]).sort();
    expect(scalars.length).toBeGreaterThanOrEqual(5);
    expect(mapped).toEqual(scalars);
    expect(yml).toMatch(/strictScalars: true/);
    expect(yml).toMatch(/^schema: \.\/schema\/schema\.graphql$/m);
  });
});
