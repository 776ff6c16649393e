import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

/**
 * The dashboard and the GraphQL IDE: the files the web build (`vite build`, web/vite.config.mjs)
 * wrote to dist/web, served at `/` on the API's own origin. Only files found in that folder when
 * the server starts are served (a table of URL paths, so no request path can reach outside it);
 * hashed files under /assets/ are cached for a year, the pages and the SDL are revalidated.
 * A browser opening GET /graphql (Accept: text/html, no query) gets the IDE page without a key;
 * every other request to /graphql goes to the API as before.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.graphql': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The pages run only their own scripts and talk only to this origin. */
const PAGE_SECURITY = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface StaticFile {
  path: string;
  contentType: string;
  cacheControl: string;
  etag: string;
  size: number;
  html: boolean;
}

export interface StaticNotFound {
  status: 404;
  message: string;
}

/** The folder of the web build: WEB_DIR, else dist/web of the package this module belongs to. */
export function defaultWebDir(): string | null {
  if (process.env.WEB_DIR) return resolve(process.env.WEB_DIR);
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    if (dirname(dir) === dir) return null;
  }
}

function listFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) found.push(full);
    }
  };
  walk(root);
  return found;
}

/** Whether the client prefers an HTML page to JSON (a browser navigating), as Apollo judges it. */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const html = types.indexOf('text/html');
  if (html < 0) return false;
  const json = types.findIndex((type) => type === 'application/json' || type === 'application/graphql-response+json');
  return json < 0 || html < json;
}

export class StaticFiles {
  private files = new Map<string, StaticFile>();
  /** When the build's index.html was written: a new build (npm run build beside a running API) is read again. */
  private builtAt = 0;

  constructor(readonly root: string | null = defaultWebDir()) {
    this.scan();
  }

  private scan(): void {
    const root = this.root;
    let builtAt: number;
    try {
      builtAt = root ? statSync(join(root, 'index.html')).mtimeMs : 0;
    } catch {
      builtAt = 0;
    }
    if (builtAt === this.builtAt) return;
    this.builtAt = builtAt;
    this.files = new Map();
    if (!root || !builtAt) return;
    for (const path of listFiles(root)) {
      const rel = relative(root, path).split(sep).join('/');
      const ext = extname(path).toLowerCase();
      const stat = statSync(path);
      const hashed = rel.startsWith('assets/');
      this.files.set(`/${rel}`, {
        path,
        contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
        cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        // size and time of the build's write: no file is read until it is asked for
        etag: `"${stat.size.toString(36)}-${Math.round(stat.mtimeMs).toString(36)}"`,
        size: stat.size,
        html: ext === '.html',
      });
    }
  }

  /** Whether a web build was found (without one, nothing is served and every path answers as before). */
  get available(): boolean {
    return this.files.size > 0;
  }

  /** The file for this request, or null when it is not one of ours (the API handles it). */
  private fileFor(req: IncomingMessage, url: URL): StaticFile | null | 'missing' {
    if (req.method !== 'GET' && req.method !== 'HEAD') return null;
    const path = url.pathname;
    // a page, or a file we do not know: look whether the build changed first (one stat)
    if (path === '/' || path === '/index.html' || path === '/graphql' || !this.files.has(path)) this.scan();
    if (!this.available) return null;
    if (path === '/graphql') {
      return prefersHtml(req.headers.accept) && !url.searchParams.has('query') ? (this.files.get('/graphiql.html') ?? null) : null;
    }
    if (path === '/' || path === '/index.html') return this.files.get('/index.html') ?? null;
    const file = this.files.get(path);
    if (file) return file;
    // a missing asset is a 404 of ours; any other path is left to the API (and its own 404)
    return path.startsWith('/assets/') ? 'missing' : null;
  }

  /**
   * Serves the request when it asks for a file of the web build and returns true, answers a
   * missing asset with `notFound`, or returns false without touching the response.
   */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, notFound: (res: ServerResponse) => void): boolean {
    const file = this.fileFor(req, url);
    if (file === null) return false;
    if (file === 'missing') {
      notFound(res);
      return true;
    }
    const headers: Record<string, string> = {
      'content-type': file.contentType,
      'cache-control': file.cacheControl,
      etag: file.etag,
      'x-content-type-options': 'nosniff',
      ...(file.html ? PAGE_SECURITY : {}),
    };
    if (url.pathname === '/graphql') headers.vary = 'accept';
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.size) });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file.path).on('error', () => res.destroy()).pipe(res);
    return true;
  }
}
