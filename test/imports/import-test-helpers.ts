import { request } from 'node:http';
import type { HttpTestApp } from '../helpers/http-app';

/** The API's origin (http://127.0.0.1:<port>) of a test app. */
export function originOf(app: HttpTestApp): string {
  return app.url.replace(/\/graphql$/, '');
}

export interface JobJson {
  id: string;
  state: string;
  processedRows: number;
  counts: { created: number; updated: number; unchanged: number; failed: number };
  message: string | null;
  attempts: number;
  links: { self: string; errorsCsv: string };
}

/** POST /imports?<query> with `body` as the file, as `key`. */
export async function upload(app: HttpTestApp, query: string, body: string, key: string | null): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${originOf(app)}/imports?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export async function getJson(app: HttpTestApp, path: string, key: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${originOf(app)}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: JSON.parse(await response.text()) as unknown };
}

export async function getText(app: HttpTestApp, path: string, key: string): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${originOf(app)}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

const FINAL = ['DONE', 'FAILED', 'CANCELLED'];

/** Polls GET /imports/:id until the job is DONE, FAILED or CANCELLED (or fails the test after 30 s). */
export async function pollUntilFinal(app: HttpTestApp, self: string, key: string): Promise<JobJson> {
  const until = Date.now() + 30_000;
  for (;;) {
    const { status, body } = await getJson(app, self, key);
    if (status !== 200) throw new Error(`GET ${self}: ${status} ${JSON.stringify(body)}`);
    const job = body as JobJson;
    if (FINAL.includes(job.state)) return job;
    if (Date.now() > until) throw new Error(`job still ${job.state} after 30 s: ${JSON.stringify(job)}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Sends `parts` as the body of POST /imports, one every `gapMs`, over node:http (fetch cannot pace a body). */
export function slowUpload(app: HttpTestApp, query: string, parts: string[], gapMs: number, key: string): Promise<{ status: number; text: string }> {
  const url = new URL(`${originOf(app)}/imports?${query}`);
  return new Promise((ok, fail) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { authorization: `Bearer ${key}`, 'transfer-encoding': 'chunked' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', fail);
    let i = 0;
    const next = () => {
      const part = parts[i++];
      if (part === undefined) {
        req.end();
        return;
      }
      req.write(part);
      setTimeout(next, gapMs);
    };
    next();
  });
}
