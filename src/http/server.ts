import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { LRUCache } from 'lru-cache';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { Authenticator } from '../auth/authenticate';
import { jwtConfigFromEnv } from '../auth/jwt';
import type { Actor } from '../auth/roles';
import type { Config } from '../config';
import { DATABASE_BUSY_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, isPoolExhausted } from '../db/db-errors';
import { MetricWorkGate } from '../db/metric-work';
import { costMemoOf, createApollo } from '../graphql/apollo';
import { Context, createContext } from '../graphql/context';
import { CommitCount, trackCommits } from '../graphql/mutation';
import { buildAppSchema } from '../graphql/schema';
import { ExportRoutes, isExportPath } from '../export/export-http';
import { EventRoutes, isEventPath, writeKeyElsewhere } from '../events/event-http';
import { intakeLimitsFromEnv } from '../events/intake-gate';
import { exemptUploadsFromRequestTimeout, ImportRoutes, isImportPath } from '../imports/import-http';
import { ImportJobRunner } from '../imports/jobs/job-runner';
import { importJobSettingsFromEnv } from '../imports/jobs/job-settings';
import { PolicySweep } from '../qualification/auto-mql-sweep';
import { EventProcessor } from '../events/processor';
import { ReplicaMonitor } from '../db/replica-monitor';
import { CorsPolicy, corsOriginsFromEnv } from './cors';
import { HealthProbe } from './health';
import { MemoryGuard, SHORT_OF_MEMORY_MESSAGE } from './memory-guard';
import { StaticFiles } from './static';
import type { QueryCostMemo } from './limits';
import { MAX_VARIABLES_DEPTH, withinDepth } from './json-depth';
import { IdempotencyRace, IdempotencyStore, isMutationRequest, StoredResponse } from './idempotency';
import { clientAddress, RateLimiter } from './rate-limit';

export interface App {
  http: Server;
  authenticator: Authenticator;
  apollo: ApolloServer<Context>;
  /** Remembered query costs (bounded by COST_CACHE_BYTES). */
  costMemo: QueryCostMemo;
  /** Turns new requests away while a full collection leaves the heap nearly full (config.memoryGuard). */
  memoryGuard: MemoryGuard;
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

// a statement cancelled by the time limit (TIMEOUT) is no answer to the request either: a retry runs it again
const SERVER_FAULTS = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);

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
 * Retry-After (its errors say SERVICE_UNAVAILABLE, see format-error.ts), not 200 or 500; one
 * that could not get its turn at the database answers BUSY: 429 when the caller's own share is
 * in use, 503 when the service is full, with Retry-After either way.
 */
const retryablePlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, errors }) {
        if (!errors?.length) return;
        const originals = errors.map((error) => unwrapResolverError(error));
        const busy = errors.filter((error) => error.extensions?.code === 'BUSY');
        if (originals.some((error) => isDatabaseUnavailable(error))) response.http.status = 503;
        else if (busy.length || originals.some((error) => isPoolExhausted(error))) {
          response.http.status = busy.length && busy.every((error) => error.extensions?.scope === 'CALLER') ? 429 : 503;
        } else return;
        response.http.headers.set('retry-after', RETRY_AFTER['retry-after']);
      },
    };
  },
};

/**
 * Builds the HTTP server: POST/GET /graphql, POST/GET /imports and GET /health, and starts the
 * import job runner (jobs queued, or interrupted by a restart, are taken up at once; `runImports:
 * false` leaves that to other replicas). Call `http.listen` to serve.
 */
export async function createApp(deps: {
  ds: DataSource;
  readDs?: DataSource;
  config: Config;
  logger: Logger;
  runImports?: boolean;
  /** Called after POST /v1/* stored events (how many), besides waking the event processing. */
  onEventsAccepted?: (stored: number) => void;
}): Promise<App> {
  const { ds, config, logger } = deps;
  const replica = deps.readDs && deps.readDs !== ds ? deps.readDs : null;
  /**
   * When each caller last wrote: its reads stay on the primary until the replica has replayed the
   * write (a streaming standby), or for READ_YOUR_WRITES_MS (a replica that cannot say); see
   * ReplicaMonitor. Kept as long as either rule may need it.
   */
  const lastWrite = new LRUCache<string, number>({ max: 100_000, ttl: Math.max(1, config.readYourWritesMs, config.replicaMaxLagMs + 1000) });
  const replicaMonitor = replica ? new ReplicaMonitor(ds, replica, { checkMs: config.replicaCheckMs, maxLagMs: config.replicaMaxLagMs }, logger) : null;
  // the first check before the first request: reads go where they may from the start
  await replicaMonitor?.check();
  replicaMonitor?.start();
  const readSourceFor = (actor: Actor, req: IncomingMessage): DataSource => {
    if (!replica || !replicaMonitor || req.headers['x-read-consistency'] === 'primary') return ds;
    return replicaMonitor.mayRead(lastWrite.get(actor.id), config.readYourWritesMs) ? replica : ds;
  };
  const http = createServer({
    // a client gets this long to send its headers, and its whole request: a connection that
    // trickles bytes is closed instead of being kept for minutes
    headersTimeout: config.limits.headersTimeoutMs,
    requestTimeout: config.limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, config.limits.headersTimeoutMs),
  });
  const schema = await buildAppSchema();
  const apollo = createApollo(schema, config, logger, [
    ApolloServerPluginDrainHttpServer({ httpServer: http }),
    retryablePlugin,
  ]);
  await apollo.start();
  const maxBody = config.limits.maxBodyBytes;
  const authenticator = new Authenticator(ds, jwtConfigFromEnv(), config.apiKeyCacheMs);
  const rateLimiter = new RateLimiter(config);
  const idempotency = new IdempotencyStore(ds, config.idempotencyResponseGraceSeconds);
  const metricGate = new MetricWorkGate(config.metricWork);
  // GET /export/...: each page is a GraphQL operation of the caller, with the context /graphql builds
  const exportRoutes = new ExportRoutes({
    schema,
    apollo,
    logger,
    // the export's own pages may be larger than a client's (MAX_PAGE_SIZE): its operations, streamed
    contextFor: (actor, req, requestId, pageSize) =>
      createContext({
        ds, readDs: readSourceFor(actor, req), config: { ...config, maxPageSize: Math.max(config.maxPageSize, pageSize) },
        logger: logger.child({ requestId }), requestId, actor, metricWork: metricGate.ticket(actor.id),
      }),
  });
  // the dashboard and the GraphQL IDE (the web build in dist/web), same origin
  const staticFiles = new StaticFiles();
  // cross-origin browser apps: the origins of CORS_ORIGINS only (none by default: no CORS header at all)
  const corsPolicy = new CorsPolicy(corsOriginsFromEnv());
  const health = new HealthProbe((ds.options as PostgresConnectionOptions).url ?? '');
  const importSettings = importJobSettingsFromEnv();
  const importRoutes = new ImportRoutes(ds, logger, importSettings);
  exemptUploadsFromRequestTimeout(http, importRoutes.uploads);
  const importRunner = new ImportJobRunner(ds, logger, importSettings);
  if (deps.runImports !== false) importRunner.start();
  // qualification policies approved ahead of their effectiveFrom come into force on this timer
  const policySweep = new PolicySweep(ds, logger);
  if (deps.runImports !== false) policySweep.start();
  // accepted web events become touchpoints in the background (src/events/processor.ts): woken by
  // every batch stored here, polling for those other replicas stored
  const eventProcessor = new EventProcessor(ds, logger);
  if (deps.runImports !== false) eventProcessor.start();
  // POST /v1/*: Segment's tracking API, authenticated by write keys (src/events, docs/events.md)
  const eventRoutes = new EventRoutes({
    ds,
    logger,
    limits: intakeLimitsFromEnv(config.poolSize),
    failedAuth: rateLimiter,
    addressOf: (req) => clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustProxy),
    keyCacheMs: config.apiKeyCacheMs,
    onAccepted: (stored) => {
      if (deps.runImports !== false) eventProcessor.wake();
      deps.onEventsAccepted?.(stored);
    },
  });
  // new requests wait while the heap is nearly full of live data (see MemoryGuard)
  const memoryGuard = new MemoryGuard(config.memoryGuard);
  memoryGuard.start();
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
    primaryOnly = false,
  ): Promise<StoredResponse> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let readDs: DataSource = ds;
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => {
        readDs = primaryOnly ? ds : readSourceFor(actor, req);
        const ctx = createContext({
          ds,
          readDs,
          config,
          logger: logger.child({ requestId }),
          requestId,
          actor,
          metricWork: metricGate.ticket(actor.id),
          jsonResponse: true,
        });
        onContext(ctx);
        return ctx;
      },
    });
    let text = '';
    if (result.body.kind === 'complete') text = result.body.string;
    else for await (const chunk of result.body.asyncIterator) text += chunk;
    const response = { status: result.status ?? 200, headers: Object.fromEntries(result.headers), body: text };
    // the replica went away under a read (503 SERVICE_UNAVAILABLE): reads go to the primary from
    // now on, and this one runs again there (a read changes nothing, so running it twice is safe)
    if (replicaMonitor && readDs !== ds && response.status === 503 && !isMutationRequest(body) && /SERVICE_UNAVAILABLE/.test(text)) {
      replicaMonitor.markAway();
      return executeGraphQL(req, url, body, actor, requestId, onContext, true);
    }
    return response;
  }

  /**
   * The caller, from the headers alone: nothing of the body is read for a request that is not
   * authenticated, and an address that keeps failing is refused before its credential costs
   * a lookup.
   */
  async function authenticate(req: IncomingMessage): Promise<Actor> {
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustProxy);
    await rateLimiter.assertMayAuthenticate(address);
    const writeKey = writeKeyElsewhere(req.headers.authorization);
    if (writeKey) throw writeKey;
    let actor: Actor;
    try {
      actor = await authenticator.authenticate(req.headers.authorization);
    } catch (error) {
      // a credential that was checked and refused (no header at all cost nothing to refuse)
      if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED' && req.headers.authorization) {
        await rateLimiter.authenticationFailed(address);
      }
      throw error;
    }
    await rateLimiter.consume(actor.id);
    return actor;
  }

  /**
   * The caller, or the response refusing the request (401, 429): its body is then not read but
   * discarded, and the connection closes after the answer.
   */
  async function authenticateOrRefuse(req: IncomingMessage, res: ServerResponse): Promise<Actor | StoredResponse> {
    try {
      return await authenticate(req);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      res.setHeader('connection', 'close');
      req.resume();
      return fromGraphQLError(error);
    }
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<StoredResponse> {
    const actor = await authenticateOrRefuse(req, res);
    if ('status' in actor) return actor;
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const text = await readBody(req, maxBody);
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return errorResponse(400, 'request body is not valid JSON', 'BAD_REQUEST');
      }
      // JSON.parse takes any depth; hashing, pricing and validating it must not overflow the stack
      if (!withinDepth(body, MAX_VARIABLES_DEPTH + 1)) {
        return errorResponse(400, `variables: nest deeper than ${MAX_VARIABLES_DEPTH} levels`, 'BAD_REQUEST');
      }
    }
    const mutation = req.method === 'POST' && isMutationRequest(body);
    if (mutation && replica) {
      lastWrite.set(actor.id, Date.now());
    }
    const key = req.headers['idempotency-key'];
    try {
      if (typeof key !== 'string' || !mutation) {
        return await executeGraphQL(req, url, body, actor, requestId);
      }
      if (key.length < 1 || key.length > 255) return errorResponse(400, 'Idempotency-Key must be 1 to 255 characters', 'BAD_REQUEST');
      return await executeIdempotently(req, url, body, actor, requestId, key);
    } finally {
      // read-your-writes counts from when the write finished (its commit is then in the primary's WAL)
      if (mutation && replica) lastWrite.set(actor.id, Date.now());
    }
  }

  /** A mutation with an Idempotency-Key (see IdempotencyStore): run once, replayed after. */
  async function executeIdempotently(req: IncomingMessage, url: URL, body: unknown, actor: Actor, requestId: string, key: string): Promise<StoredResponse> {
    for (let attempt = 0; ; attempt++) {
      const decision = await idempotency.begin(actor.id, key, body);
      if (decision.kind === 'conflict') {
        const retry: Record<string, string> = decision.retryAfterSeconds ? { 'retry-after': String(decision.retryAfterSeconds) } : {};
        return errorResponse(409, decision.reason, decision.code, retry);
      }
      if (decision.kind === 'replay') return { ...decision.response, headers: { ...decision.response.headers, 'idempotent-replayed': 'true' } };
      let commits: CommitCount = { committed: 0 };
      let raced = false;
      const claim = async (tx: EntityManager) => {
        try {
          await decision.claim(tx);
        } catch (error) {
          raced = error instanceof IdempotencyRace;
          throw error;
        }
      };
      let response: StoredResponse;
      try {
        response = await executeGraphQL(req, url, body, actor, requestId, (ctx) => (commits = trackCommits(ctx, claim)));
      } catch (error) {
        if (commits.committed > 0) await decision.finish(errorResponse(500, 'Internal server error', 'INTERNAL_SERVER_ERROR')).catch(() => undefined);
        throw error;
      }
      // once a mutation committed, the response is kept whatever it says, so nothing runs twice
      if (commits.committed > 0) {
        await decision.finish(response);
        return response;
      }
      // another request with the key claimed it first: answer as that one's retry
      if (raced && attempt < 2) continue;
      // a server fault that changed nothing is not kept: the retry runs (that is what it is for)
      if (!isServerFault(response)) await decision.keepRefusal(response);
      return response;
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
    // a preflight from an allowed origin is answered here, before authentication
    if (corsPolicy.handle(req, res, url.pathname)) return;
    void (async () => {
      if (url.pathname === '/health' && req.method === 'GET') {
        const state = await health.check();
        send(res, { status: state.status === 'ok' ? 200 : 503, headers: {}, body: JSON.stringify(state) });
        return;
      }
      const work = url.pathname === '/graphql' || isEventPath(url.pathname) || isImportPath(url.pathname) || isExportPath(url.pathname);
      if (work && memoryGuard.shortOfMemory()) {
        // nothing of the request is read or run: it is answered "retry", its body discarded
        logger.warn({ requestId }, 'request refused: the server is short of memory');
        res.setHeader('connection', 'close');
        req.resume();
        send(res, { status: 503, headers: RETRY_AFTER, body: JSON.stringify({ errors: [{ message: SHORT_OF_MEMORY_MESSAGE, extensions: { code: 'BUSY', scope: 'SERVICE' } }] }) });
        return;
      }
      if (isEventPath(url.pathname)) {
        send(res, await eventRoutes.handle(req, res, url));
        return;
      }
      if (staticFiles.handle(req, res, url, (r) => send(r, errorResponse(404, `not found: ${url.pathname}`, 'NOT_FOUND')))) return;
      if (isImportPath(url.pathname)) {
        const actor = await authenticateOrRefuse(req, res);
        if ('status' in actor) {
          send(res, actor);
          return;
        }
        const response = await importRoutes.handle(req, res, url, actor);
        if (response) send(res, response);
        return;
      }
      if (isExportPath(url.pathname)) {
        const actor = await authenticateOrRefuse(req, res);
        if ('status' in actor) {
          send(res, actor);
          return;
        }
        const response = await exportRoutes.handle(req, res, url, actor, requestId);
        if (response) send(res, response);
        return;
      }
      if (url.pathname !== '/graphql') {
        send(res, errorResponse(404, 'not found: the API is at /graphql', 'NOT_FOUND'));
        return;
      }
      send(res, await handleGraphQL(req, res, url, requestId));
    })().catch((error: unknown) => {
      if (error instanceof PayloadTooLargeError) {
        send(res, errorResponse(413, `request body exceeds ${maxBody} bytes`, 'BAD_REQUEST'));
        return;
      }
      const busy = isPoolExhausted(error);
      const unavailable = !busy && isDatabaseUnavailable(error);
      if (busy) logger.warn({ requestId }, 'request refused: no database connection became free in time');
      else if (unavailable) logger.warn({ err: error, requestId }, 'request failed: the database is unavailable');
      else logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) {
        send(res, busy
          ? errorResponse(503, DATABASE_BUSY_MESSAGE, 'BUSY', RETRY_AFTER)
          : unavailable
            ? errorResponse(503, DATABASE_UNAVAILABLE_MESSAGE, 'SERVICE_UNAVAILABLE', RETRY_AFTER)
            : errorResponse(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
      } else res.end();
    });
  });

  return {
    http,
    authenticator,
    apollo,
    costMemo: costMemoOf(apollo),
    memoryGuard,
    async stop() {
      stopping = true;
      clearInterval(purge);
      memoryGuard.stop();
      // a running import stops after its batch and is queued again for the next start
      await Promise.all([apollo.stop(), importRunner.stop(), policySweep.stop(), eventProcessor.stop(), replicaMonitor?.stop()]); // the drain plugin closes the listener and waits for open requests
      await rateLimiter.close();
      await health.close();
    },
  };
}
