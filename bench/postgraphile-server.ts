import './node20-polyfills';
import { createServer } from 'node:http';
import { Client, Pool } from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

/**
 * The reference server of scenario (b): PostGraphile 5 with its recommended preset over the
 * service's tables, in its own process like ours, with the same pool size. Started by
 * bench/run.ts with DATABASE_URL, PORT and POOL_SIZE and an IPC channel, on which it answers
 * 'statements' with the number of SQL statements it has sent (compared with ours).
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const port = Number(process.env.PORT);
  if (!url || !Number.isInteger(port) || port <= 0) throw new Error('DATABASE_URL and PORT are required');
  let statements = 0;
  const originalQuery = Client.prototype.query;
  // counts what the pool's clients send; the call itself is untouched
  Client.prototype.query = function countedQuery(this: Client, ...args: unknown[]): unknown {
    statements++;
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  const pool = new Pool({ connectionString: url, max: Number(process.env.POOL_SIZE ?? 10) });
  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    // order by any column, as our API does (by default only indexed columns can be ordered by)
    disablePlugins: ['PgIndexBehaviorsPlugin'],
    pgServices: [makePgService({ pool, schemas: ['public'] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  });
  const serv = pgl.createServ(grafserv);
  process.on('message', (message) => {
    if (message === 'statements') process.send?.({ statements });
  });
  const server = createServer();
  await serv.addTo(server, false);
  await pgl.getSchema(); // build the schema before the bench's first request
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  process.stdout.write(`postgraphile ready on ${port}\n`);
  const stop = () => {
    server.close();
    void Promise.resolve(pgl.release()).then(() => pool.end()).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
