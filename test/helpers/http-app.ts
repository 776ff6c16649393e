import type { AddressInfo } from 'node:net';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { Config, loadConfig } from '../../src/config';
import { App, createApp } from '../../src/http/server';
import { silentLogger } from './app';
import { createTestDatabase, TestDatabase } from './db';

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (or the text when it is not JSON). */
  body: T;
}

export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface HttpTestApp {
  db: TestDatabase;
  config: Config;
  app: App;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** A working ADMIN key of this app's database. */
  adminKey: string;
  /** Creates an API key directly in the database and returns its secret. */
  newKey(role: Role, userId?: string | null): Promise<{ id: string; secret: string }>;
  /** POSTs a raw body (a string is sent as is) with JSON content type unless told otherwise. */
  post<T = GraphQLBody>(body: unknown, headers?: Record<string, string>): Promise<HttpResponse<T>>;
  /** POSTs one GraphQL operation as `key` (the admin key unless told; null sends no Authorization). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<HttpResponse<GraphQLBody<T>>>;
  close(): Promise<void>;
}

async function parse<T>(response: Response): Promise<HttpResponse<T>> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

/**
 * The real HTTP server (src/http/server.ts) on a free port over a fresh test database.
 * `configure` adjusts the settings first (limits, cache times, Redis).
 */
export async function startHttpApp(configure: (config: Config) => void = () => undefined, db?: TestDatabase): Promise<HttpTestApp> {
  const database = db ?? (await createTestDatabase());
  const config = loadConfig();
  config.production = false;
  configure(config);
  const app = await createApp({ ds: database.ds, config, logger: silentLogger });
  await new Promise<void>((ok) => app.http.listen(0, '127.0.0.1', ok));
  const { port } = app.http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  const newKey = async (role: Role, userId: string | null = null) => {
    const { apiKey, secret } = await issueApiKey(database.ds, { name: `test ${role}`, role, userId, createdBy: 'test' });
    return { id: apiKey.id, secret };
  };
  const adminKey = (await newKey(Role.ADMIN)).secret;
  const post = async <T>(body: unknown, headers: Record<string, string> = {}) =>
    parse<T>(
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  return {
    db: database,
    config,
    app,
    url,
    adminKey,
    newKey,
    post,
    gql: <T>(query: string, variables?: Record<string, unknown>, options: { key?: string | null; headers?: Record<string, string> } = {}) => {
      const key = options.key === undefined ? adminKey : options.key;
      const auth: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
      return post<GraphQLBody<T>>({ query, variables }, { ...auth, ...options.headers });
    },
    async close() {
      await app.stop();
      if (!db) await database.drop();
    },
  };
}
