import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { Authenticator } from '../auth/authenticate';
import { jwtConfigFromEnv } from '../auth/jwt';
import type { Actor } from '../auth/roles';
import type { Config } from '../config';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/db-errors';
import { createApollo } from '../graphql/apollo';
import { Context, createContext } from '../graphql/context';
import { CommitCount, trackCommits } from '../graphql/mutation';
import { buildAppSchema } from '../graphql/schema';
import { checkHealth } from './health';
import { IdempotencyStore, isMutationRequest, StoredResponse } from './idempotency';
import { RateLimiter } from './rate-limit';

export interface App {
  http: Server;
  authenticator: Authenticator;
  apollo: ApolloServer<Context>;
  /** Stops taking requests, lets the running ones finish, then releases its resources. */
  stop(): Promise<void>;
}

class PayloadTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(new PayloadTooLargeError());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function send(res: ServerResponse, response: StoredResponse): void {
  res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', ...response.headers });
  res.end(response.body);
}

function errorResponse(status: number, message: string, code: string, headers: Record<string, string> = {}): StoredResponse {
  return { status, headers, body: JSON.stringify({ errors: [{ message, extensions: { code } }] }) };
}

/** A GraphQLError thrown before execution (authentication, rate limit) as an HTTP response. */
function fromGraphQLError(error: GraphQLError): StoredResponse {
  const http = error.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
  const { http: _http, ...extensions } = error.extensions;
  return {
    status: http?.status ?? 400,
    headers: Object.fromEntries(http?.headers ?? []),
    body: JSON.stringify({ errors: [{ message: error.message, extensions }] }),
  };
}

const SERVER_FAULTS = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/** Whether a response failed through no fault of the request (a 5xx, or a masked error in a 200). */
function isServerFault(response: StoredResponse): boolean {
  if (response.status >= 500) return true;
  try {
    const { errors } = JSON.parse(response.body) as { errors?: { extensions?: { code?: unknown } }[] };
    return (errors ?? []).some((e) => SERVER_FAULTS.has(String(e.extensions?.code)));
  } catch {
    return false;
  }
}

/** Clients (and load balancers) may retry a request the database could not serve after this many seconds. */
const RETRY_AFTER = { 'retry-after': '1' };

/**
 * A GraphQL request that failed because the database could not be reached answers 503 with
 * Retry-After (its errors say SERVICE_UNAVAILABLE, see format-error.ts), not 200 or 500.
 */
const databaseUnavailablePlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, errors }) {
        if (!errors?.some((error) => isDatabaseUnavailable(unwrapResolverError(error)))) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', RETRY_AFTER['retry-after']);
      },
    };
  },
};

/** Builds the HTTP server: POST/GET /graphql and GET /health. Call `http.listen` to serve. */
export async function createApp(deps: { ds: DataSource; readDs?: DataSource; config: Config; logger: Logger }): Promise<App> {
  const { ds, config, logger } = deps;
  const replica = deps.readDs && deps.readDs !== ds ? deps.readDs : null;
  /** When each caller last wrote: its reads stay on the primary for a while (read-your-writes). */
  const lastWrite = new Map<string, number>();
  const readSourceFor = (actor: Actor, req: IncomingMessage): DataSource => {
    if (!replica) return ds;
    const wroteAt = lastWrite.get(actor.id);
    if (wroteAt !== undefined && Date.now() - wroteAt < config.readYourWritesMs) return ds;
    return req.headers['x-read-consistency'] === 'primary' ? ds : replica;
  };
  const http = createServer();
  const apollo = createApollo(await buildAppSchema(), config, logger, [
    ApolloServerPluginDrainHttpServer({ httpServer: http }),
    databaseUnavailablePlugin,
  ]);
  await apollo.start();
  const maxBody = config.limits.maxBodyBytes;
  const authenticator = new Authenticator(ds, jwtConfigFromEnv(), config.apiKeyCacheMs);
  const rateLimiter = new RateLimiter(config);
  const idempotency = new IdempotencyStore(ds);
  const purge = setInterval(() => void idempotency.purgeExpired().catch(() => undefined), 3_600_000);
  purge.unref();

  /** Runs one request; `onContext` sees its context (to count what it commits). */
  async function executeGraphQL(
    req: IncomingMessage,
    url: URL,
    body: unknown,
    actor: Actor,
    requestId: string,
    onContext: (ctx: Context) => void = () => undefined,
  ): Promise<StoredResponse> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => {
        const ctx = createContext({ ds, readDs: readSourceFor(actor, req), config, logger: logger.child({ requestId }), requestId, actor });
        onContext(ctx);
        return ctx;
      },
    });
    let text = '';
    if (result.body.kind === 'complete') text = result.body.string;
    else for await (const chunk of result.body.asyncIterator) text += chunk;
    return { status: result.status ?? 200, headers: Object.fromEntries(result.headers), body: text };
  }

  async function handleGraphQL(req: IncomingMessage, url: URL, requestId: string): Promise<StoredResponse> {
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const text = await readBody(req, maxBody);
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return errorResponse(400, 'request body is not valid JSON', 'BAD_REQUEST');
      }
    }
    let actor: Actor;
    try {
      actor = await authenticator.authenticate(req.headers.authorization);
      await rateLimiter.consume(actor.id);
    } catch (error) {
      if (error instanceof GraphQLError) return fromGraphQLError(error);
      throw error;
    }
    const mutation = req.method === 'POST' && isMutationRequest(body);
    if (mutation && replica) {
      lastWrite.set(actor.id, Date.now());
      if (lastWrite.size > 100_000) lastWrite.clear();
    }
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !mutation) {
      return executeGraphQL(req, url, body, actor, requestId);
    }
    if (key.length < 1 || key.length > 255) return errorResponse(400, 'Idempotency-Key must be 1 to 255 characters', 'BAD_REQUEST');
    const decision = await idempotency.begin(actor.id, key, body);
    if (decision.kind === 'conflict') return errorResponse(409, decision.reason, 'CONFLICT');
    if (decision.kind === 'replay') return { ...decision.response, headers: { ...decision.response.headers, 'idempotent-replayed': 'true' } };
    let commits: CommitCount = { committed: 0 };
    try {
      const response = await executeGraphQL(req, url, body, actor, requestId, (ctx) => (commits = trackCommits(ctx)));
      // a server fault that changed nothing is not kept: the retry runs (that is what it is for);
      // once a mutation committed, the response is kept whatever it says, so nothing runs twice
      if (commits.committed === 0 && isServerFault(response)) await decision.abandon();
      else await decision.finish(response);
      return response;
    } catch (error) {
      if (commits.committed === 0) await decision.abandon().catch(() => undefined);
      else await decision.finish(errorResponse(500, 'Internal server error', 'INTERNAL_SERVER_ERROR')).catch(() => undefined);
      throw error;
    }
  }

  /** Set when stop() begins: requests that come in from then on are turned away, not run. */
  let stopping = false;

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (stopping) {
      // a request that reaches a stopping server (on a connection accepted just before the
      // listener closed) is refused before anything runs: the client knows it was not done.
      // When the drain already closed that connection, there is no one left to answer.
      if (req.socket.writableEnded || req.socket.destroyed) req.socket.destroy();
      else {
        res.setHeader('connection', 'close');
        send(res, errorResponse(503, 'the service is shutting down; retry', 'SERVICE_UNAVAILABLE', RETRY_AFTER));
      }
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', requestId);
    void (async () => {
      if (url.pathname === '/health' && req.method === 'GET') {
        const health = await checkHealth(ds);
        send(res, { status: health.status === 'ok' ? 200 : 503, headers: {}, body: JSON.stringify(health) });
        return;
      }
      if (url.pathname !== '/graphql') {
        send(res, errorResponse(404, 'not found: the API is at /graphql', 'NOT_FOUND'));
        return;
      }
      send(res, await handleGraphQL(req, url, requestId));
    })().catch((error: unknown) => {
      if (error instanceof PayloadTooLargeError) {
        send(res, errorResponse(413, `request body exceeds ${maxBody} bytes`, 'BAD_REQUEST'));
        return;
      }
      const unavailable = isDatabaseUnavailable(error);
      if (unavailable) logger.warn({ err: error, requestId }, 'request failed: the database is unavailable');
      else logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) {
        send(res, unavailable
          ? errorResponse(503, DATABASE_UNAVAILABLE_MESSAGE, 'SERVICE_UNAVAILABLE', RETRY_AFTER)
          : errorResponse(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
      } else res.end();
    });
  });

  return {
    http,
    authenticator,
    apollo,
    async stop() {
      stopping = true;
      clearInterval(purge);
      await apollo.stop(); // the drain plugin closes the listener and waits for open requests
      await rateLimiter.close();
    },
  };
}
