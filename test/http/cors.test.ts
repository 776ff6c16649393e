import { request } from 'node:http';
import { corsOriginsFromEnv, CorsSettingsError } from '../../src/http/cors';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with exactly these headers (fetch would not let a test set Origin everywhere). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((ok, fail) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const corsHeaders = (r: RawResponse) => Object.keys(r.headers).filter((h) => h.startsWith('access-control-'));

const APP = 'https://app.example.com';
const LOCAL = 'http://localhost:5173';
const QUERY = JSON.stringify({ query: '{ accounts(first: 1) { totalCount } }' });

/** Starts the server with CORS_ORIGINS set to `origins` (unset when null), restoring the variable after. */
async function startWithOrigins(origins: string | null): Promise<HttpTestApp> {
  const before = process.env.CORS_ORIGINS;
  if (origins === null) delete process.env.CORS_ORIGINS;
  else process.env.CORS_ORIGINS = origins;
  try {
    return await startHttpApp();
  } finally {
    if (before === undefined) delete process.env.CORS_ORIGINS;
    else process.env.CORS_ORIGINS = before;
  }
}

describe('CORS_ORIGINS', () => {
  it('parses a comma-separated list of origins and refuses anything else, naming the variable', () => {
    expect(corsOriginsFromEnv({})).toEqual([]);
    expect(corsOriginsFromEnv({ CORS_ORIGINS: ' ' })).toEqual([]);
    expect(corsOriginsFromEnv({ CORS_ORIGINS: `${APP}, ${LOCAL} ,${APP}/` })).toEqual([APP, LOCAL]);
    // written as a browser would not send it, but the same origin
    expect(corsOriginsFromEnv({ CORS_ORIGINS: 'HTTPS://App.Example.com:443' })).toEqual([APP]);
    for (const bad of ['*', 'app.example.com', 'https://app.example.com/path', 'ftp://files.example.com']) {
      expect(() => corsOriginsFromEnv({ CORS_ORIGINS: bad })).toThrow(CorsSettingsError);
      expect(() => corsOriginsFromEnv({ CORS_ORIGINS: bad })).toThrow(/^CORS_ORIGINS: /);
    }
  });
});

describe('CORS on the HTTP server, with allowed origins', () => {
  let http: HttpTestApp;
  beforeAll(async () => {
    http = await startWithOrigins(`${APP},${LOCAL}`);
  });
  afterAll(() => http.close());
  const base = () => http.url.replace(/\/graphql$/, '');

  it.each(['/graphql', '/export/accounts.csv', '/imports'])('answers the preflight of %s from an allowed origin', async (path) => {
    const response = await send(`${base()}${path}`, 'OPTIONS', {
      origin: APP,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, apollo-require-preflight, idempotency-key',
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
    expect(String(response.headers['access-control-allow-methods']).split(',')).toEqual(['GET', 'POST']);
    const allowed = String(response.headers['access-control-allow-headers']).split(',');
    for (const header of ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'idempotency-key']) {
      expect(allowed).toContain(header);
    }
    expect(response.headers['access-control-max-age']).toBe('600');
    // bearer keys, no cookies: credentials are not allowed
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.vary).toMatch(/Origin/);
  });

  it('lets the allowed origin read the answer of a real request, with the headers it needs exposed', async () => {
    const response = await send(http.url, 'POST', { origin: LOCAL, 'content-type': 'application/json', authorization: `Bearer ${http.adminKey}` }, QUERY);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { accounts: { totalCount: 0 } } });
    expect(response.headers['access-control-allow-origin']).toBe(LOCAL);
    expect(String(response.headers['access-control-expose-headers']).split(',')).toEqual(
      expect.arrayContaining(['retry-after', 'x-request-id', 'idempotent-replayed']),
    );
  });

  it('gives an allowed origin the headers on a refusal too, so the app can read the 401', async () => {
    const response = await send(http.url, 'POST', { origin: APP, 'content-type': 'application/json' }, QUERY);
    expect(response.status).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
  });

  it('gives another origin no CORS header at all, on the preflight and on the request', async () => {
    const preflight = await send(http.url, 'OPTIONS', { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' });
    expect(corsHeaders(preflight)).toEqual([]);
    expect(preflight.status).not.toBe(204);
    const post = await send(http.url, 'POST', { origin: 'https://evil.example.net', 'content-type': 'application/json', authorization: `Bearer ${http.adminKey}` }, QUERY);
    expect(post.status).toBe(200);
    expect(corsHeaders(post)).toEqual([]);
    // an origin differing only in scheme or port is another origin
    const near = await send(http.url, 'OPTIONS', { origin: 'http://app.example.com', 'access-control-request-method': 'POST' });
    expect(corsHeaders(near)).toEqual([]);
  });

  it('does not open /health or unknown paths to other origins', async () => {
    const health = await send(`${base()}/health`, 'GET', { origin: APP });
    expect(health.status).toBe(200);
    expect(corsHeaders(health)).toEqual([]);
  });
});

describe('CORS on the HTTP server, by default', () => {
  let http: HttpTestApp;
  beforeAll(async () => {
    http = await startWithOrigins(null);
  });
  afterAll(() => http.close());

  it('sends no CORS header and answers no preflight', async () => {
    const preflight = await send(http.url, 'OPTIONS', { origin: APP, 'access-control-request-method': 'POST' });
    expect(corsHeaders(preflight)).toEqual([]);
    expect(preflight.status).not.toBe(204);
    const post = await send(http.url, 'POST', { origin: APP, 'content-type': 'application/json', authorization: `Bearer ${http.adminKey}` }, QUERY);
    expect(post.status).toBe(200);
    expect(corsHeaders(post)).toEqual([]);
    expect(post.headers.vary ?? '').not.toMatch(/Origin/);
  });
});
