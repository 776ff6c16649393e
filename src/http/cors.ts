import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { isExportPath } from '../export/export-http';
import { isImportPath } from '../imports/import-http';
import { StartupError } from '../startup/startup-error';

/**
 * Cross-origin access for browser apps on other origins (the `cors` package's middleware,
 * called on the plain node:http server). Off unless `CORS_ORIGINS` lists origins: then a request
 * to /graphql, /export/... or /imports from one of them gets the CORS headers, and its
 * preflight (OPTIONS) is answered before authentication (browsers send no credentials on a
 * preflight). A request from any other origin gets no CORS header at all, so the browser keeps
 * the response from the page. Credentials (cookies) are not allowed: the API authenticates with
 * bearer keys and JWTs in the Authorization header, which a cross-origin request carries as a
 * header the preflight allows.
 */

/** Request headers a browser app may send: the credential, the body's type, and the API's own headers. */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  // Apollo's CSRF prevention (src/graphql/apollo.ts) lets a GET or "simple" request through with either
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'idempotency-key',
  'x-request-id',
  'x-read-consistency',
];

/** Response headers a browser app may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['retry-after', 'x-request-id', 'idempotent-replayed', 'location', 'content-disposition'];

/** How long a browser may keep a preflight's answer (seconds). */
export const CORS_MAX_AGE_SECONDS = 600;

/** A CORS_ORIGINS that names no origin: npm start says so in one line and exits. */
export class CorsSettingsError extends StartupError {}

/**
 * The allowed origins from `CORS_ORIGINS` (comma-separated, e.g.
 * `https://app.example.com,http://localhost:5173`); none when unset or empty. Each must be an
 * origin as a browser sends it: scheme, host and optional port, no path; `*` is refused (name
 * the origins).
 */
export function corsOriginsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.CORS_ORIGINS ?? '';
  const origins: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new CorsSettingsError(`CORS_ORIGINS: ${JSON.stringify(item)} is not an origin such as https://app.example.com`);
    }
    if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username) {
      throw new CorsSettingsError(`CORS_ORIGINS: ${JSON.stringify(item)} is not an origin (scheme://host[:port], no path)`);
    }
    origins.push(url.origin);
  }
  return [...new Set(origins)];
}

/** Whether a path answers cross-origin requests: the API's doors, not the dashboard or /health. */
export function isCorsPath(pathname: string): boolean {
  return pathname === '/graphql' || isExportPath(pathname) || isImportPath(pathname);
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export class CorsPolicy {
  private readonly allowed: Set<string>;
  private readonly middleware: Middleware;

  constructor(origins: readonly string[]) {
    this.allowed = new Set(origins);
    this.middleware = cors({
      origin: [...this.allowed],
      methods: ['GET', 'POST'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      credentials: false,
      maxAge: CORS_MAX_AGE_SECONDS,
      preflightContinue: false,
      optionsSuccessStatus: 204,
    }) as Middleware;
  }

  get enabled(): boolean {
    return this.allowed.size > 0;
  }

  /**
   * Sets the CORS headers of a request to `pathname`; true when it was a preflight, then
   * answered (204) and nothing else is to be done. Off (no header, not even Vary) without
   * allowed origins; a request from an origin not allowed gets only `Vary: Origin`.
   */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (!this.enabled || !isCorsPath(pathname)) return false;
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !this.allowed.has(origin)) return false;
    let passed = false;
    // with a fixed list of origins the middleware is synchronous: it calls next, or answers a preflight
    this.middleware(req, res, () => (passed = true));
    return !passed;
  }
}
