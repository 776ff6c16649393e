import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { Authenticator } from '../auth/authenticate';
import { jwtConfigFromEnv } from '../auth/jwt';
import type { Config } from '../config';
import { createApollo } from '../graphql/apollo';
import { Context, createContext } from '../graphql/context';
import { buildAppSchema } from '../graphql/schema';
import { checkHealth } from './health';
import { RateLimiter } from './rate-limit';

export interface App {
  http: Server;
  authenticator: Authenticator;
  apollo: ApolloServer<Context>;
  /** Stops taking requests, lets the running ones finish, then closes the pool. */
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
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Builds the HTTP server: POST/GET /graphql and GET /health. Call `http.listen` to serve. */
export async function createApp(deps: { ds: DataSource; config: Config; logger: Logger }): Promise<App> {
  const { ds, config, logger } = deps;
  const http = createServer();
  const apollo = createApollo(await buildAppSchema(), config, logger, [ApolloServerPluginDrainHttpServer({ httpServer: http })]);
  await apollo.start();
  const maxBody = config.limits.maxBodyBytes;
  const authenticator = new Authenticator(ds, jwtConfigFromEnv(), config.apiKeyCacheMs);
  const rateLimiter = new RateLimiter(config);
  const authenticate = async (authorization: string | undefined) => {
    const actor = await authenticator.authenticate(authorization);
    await rateLimiter.consume(actor.id);
    return actor;
  };

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', requestId);
    void (async () => {
      if (url.pathname === '/health' && req.method === 'GET') {
        const health = await checkHealth(ds);
        sendJson(res, health.status === 'ok' ? 200 : 503, health);
        return;
      }
      if (url.pathname !== '/graphql') {
        sendJson(res, 404, { error: 'not found: the API is at /graphql' });
        return;
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const text = await readBody(req, maxBody);
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          sendJson(res, 400, { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
          return;
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () =>
          createContext({
            ds,
            config,
            logger: logger.child({ requestId }),
            requestId,
            actor: await authenticate(req.headers.authorization),
          }),
      });
      for (const [key, value] of result.headers) res.setHeader(key, value);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    })().catch((error: unknown) => {
      if (error instanceof PayloadTooLargeError) {
        sendJson(res, 413, { errors: [{ message: `request body exceeds ${maxBody} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
    });
  });

  return {
    http,
    authenticator,
    apollo,
    async stop() {
      await apollo.stop(); // the drain plugin closes the listener and waits for open requests
      await rateLimiter.close();
    },
  };
}
