import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT } from '../helpers/built-service';
import type { HttpTestApp } from '../helpers/http-app';
import { launchChromium, offlineContext, screenshot, startWebApp } from './browser';

/**
 * The web build as the API serves it (src/http/static.ts), and the GraphQL IDE at /graphql in
 * a browser that can reach nothing but the server, with introspection off: the IDE loads
 * without a key, takes the schema from the committed SDL and runs a query with the key from
 * its headers editor.
 */

jest.setTimeout(240_000);

let app: HttpTestApp & { origin: string };
let browser: Browser;

beforeAll(async () => {
  app = await startWebApp({ demo: true, configure: (config) => (config.limits.introspection = false) });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${app.origin}${path}`, { method, headers });

describe('static files', () => {
  it('serves the dashboard at / as a revalidated HTML page with a same-origin policy', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).toContain('<div id="root">');
    // every script and style is one of ours, and hashed
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'));
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect(asset).toMatch(/^\/assets\/[\w.-]+-[\w-]{8}\.(js|css)$/);
  });

  it('serves hashed assets with their content type, a year of caching, an ETag and 304s', async () => {
    const html = await (await get('/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1]!;
    const js = await get(script);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await js.text();
    expect(Number(js.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    expect((await get(style)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const again = await get(script, { 'if-none-match': js.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const head = await get(script, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(js.headers.get('content-length'));
  });

  it('serves the committed SDL as /schema.graphql', async () => {
    const response = await get('/schema.graphql');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe(readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8'));
  });

  it('answers a missing asset with a typed 404, and leaves other paths to the API as before', async () => {
    const missing = await get('/assets/nothing-12345678.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await missing.json()).toEqual({ errors: [{ message: 'not found: /assets/nothing-12345678.js', extensions: { code: 'NOT_FOUND' } }] });
    const other = await get('/nothing');
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ errors: [{ message: 'not found: the API is at /graphql', extensions: { code: 'NOT_FOUND' } }] });
    // POST / is not a file
    const post = await fetch(`${app.origin}/`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(404);
  });

  it('never reaches outside the build folder', async () => {
    const raw = (path: string) =>
      new Promise<{ status: number; body: string }>((ok, fail) => {
        const req = request(`${app.origin}${path}`, { method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', fail);
        req.end();
      });
    for (const path of ['/assets/../../package.json', '/../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/%00', '//etc/passwd']) {
      const { status, body } = await raw(path);
      expect([400, 404]).toContain(status);
      expect(body).not.toContain('"dependencies"');
      expect(body).not.toContain('root:');
    }
  });

  it('gives a browser the IDE page at /graphql without a key, and every other request the API as before', async () => {
    const page = await get('/graphql', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('vary')).toBe('accept');
    expect(await page.text()).toContain('id="graphiql"');
    // a client asking for JSON, or with a query, or a POST: the API, which wants a key
    for (const response of [
      await get('/graphql'),
      await get('/graphql', { accept: 'application/json' }),
      await get('/graphql?query=%7B__typename%7D', { accept: 'text/html' }),
      await fetch(`${app.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/html' }, body: '{"query":"{__typename}"}' }),
    ]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
    // with a key, a GET query still runs (Apollo's CSRF rule asks GETs for a preflight header)
    const run = await get('/graphql?query=%7B__typename%7D', { authorization: `Bearer ${app.adminKey}`, 'apollo-require-preflight': 'true' });
    expect(run.status).toBe(200);
    expect(await run.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('the GraphQL IDE', () => {
  it('loads offline, holds the committed schema with introspection off, and runs a query with the key from its headers', async () => {
    const introspection = await app.gql('{ __schema { queryType { name } } }');
    expect(introspection.body.errors?.length).toBeGreaterThan(0);
    const { context, blocked, errors } = await offlineContext(browser, app.origin);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const response = await page.goto(`${app.origin}/graphql`);
      expect(response?.status()).toBe(200);
      const run = page.getByRole('button', { name: /execute query/i });
      await run.waitFor();
      // the headers editor holds the template; put the key in it
      const headers = page.locator('.graphiql-editor-tool .graphiql-editor').filter({ hasText: 'authorization' });
      await headers.waitFor();
      expect((await headers.innerText()).replace(/\u00a0/g, ' ')).toContain('"authorization": "Bearer <key>"');
      await headers.click();
      await page.keyboard.press('Control+A');
      // pasted, as a person would (typed text gets the editor's closing quotes and braces)
      await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(JSON.stringify({ authorization: `Bearer ${app.adminKey}` }))})`);
      await page.keyboard.press('Control+V');
      await run.click();
      const result = page.locator('.result-window');
      await expect(result.getByText('"totalCount"').waitFor()).resolves.toBeUndefined();
      const shown = (await result.innerText()).replace(/\u00a0/g, ' ');
      const api = await app.gql<{ campaigns: { totalCount: number; edges: { node: { name: string } }[] } }>('{ campaigns(first: 5, orderBy: { field: NAME }) { totalCount edges { node { name } } } }');
      expect(shown).not.toContain('"errors"');
      expect(shown).toContain(`"totalCount": ${api.body.data!.campaigns.totalCount}`);
      expect(shown).toContain(`"name": ${JSON.stringify(api.body.data!.campaigns.edges[0]!.node.name)}`);
      // the schema came from the SDL: the docs explorer knows the root fields, though introspection is off
      await page.getByRole('button', { name: /documentation explorer/i }).click();
      await expect(page.getByText('campaignPerformance').first().waitFor()).resolves.toBeUndefined();
      await screenshot(page, 'graphiql', false);
      expect(requests.filter((u) => !u.startsWith(app.origin) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
      expect(blocked).toEqual([]);
      expect(requests.some((u) => u.endsWith('/schema.graphql'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
