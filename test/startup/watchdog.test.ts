import pino from 'pino';
import type { EmbeddedServer } from '../../src/db/embedded-postgres';
import { watchEmbeddedPostgres } from '../../src/startup/watchdog';

/*
 * The watchdog of the embedded PostgreSQL, on a stand-in server: started again after it dies,
 * given up on (the service then exits) when it does not come back or keeps dying.
 */

type Exit = { code: number | null; signal: NodeJS.Signals | null };

function fakeServer(restart: () => Promise<void>) {
  let listener: ((exit: Exit) => void) | undefined;
  const server = {
    dataDir: 'data/postgres',
    pid: () => 4242,
    onUnexpectedExit: (l: (exit: Exit) => void) => void (listener = l),
    restart: jest.fn(restart),
  } as unknown as EmbeddedServer & { restart: jest.Mock };
  return { server, die: (exit: Exit = { code: null, signal: 'SIGKILL' }) => listener!(exit) };
}

const logger = pino({ level: 'silent' });
const until = async (predicate: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!predicate() && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 5));
};

it('starts the server again after it died', async () => {
  const { server, die } = fakeServer(async () => undefined);
  const gaveUp = jest.fn();
  watchEmbeddedPostgres(server, { logger, onGiveUp: gaveUp, retryDelaysMs: [1, 1, 1] });
  die();
  await until(() => server.restart.mock.calls.length === 1);
  await new Promise((ok) => setTimeout(ok, 20));
  expect(server.restart).toHaveBeenCalledTimes(1);
  expect(gaveUp).not.toHaveBeenCalled();
});

it('tries again while it does not start, and gives up with PostgreSQL\'s reason after the last attempt', async () => {
  let calls = 0;
  const { server, die } = fakeServer(async () => {
    calls++;
    // as startEmbeddedPostgres fails: PostgreSQL's own reason in `fatal`
    throw Object.assign(new Error('embedded PostgreSQL did not start on data/postgres'), { fatal: 'data directory "data/postgres" does not exist' });
  });
  const gaveUp = jest.fn();
  watchEmbeddedPostgres(server, { logger, onGiveUp: gaveUp, retryDelaysMs: [1, 1, 1] });
  die();
  await until(() => gaveUp.mock.calls.length > 0);
  expect(calls).toBe(3);
  expect(gaveUp).toHaveBeenCalledTimes(1);
  expect(gaveUp.mock.calls[0][0]).toBe(
    'the embedded PostgreSQL on data/postgres exited (killed by SIGKILL) and did not start again after 3 attempts ' +
      '(data directory "data/postgres" does not exist); exiting so the service is restarted',
  );
});

it('comes back after a failed attempt', async () => {
  let calls = 0;
  const { server, die } = fakeServer(async () => {
    if (++calls === 1) throw new Error('pre-existing shared memory block is still in use');
  });
  const gaveUp = jest.fn();
  watchEmbeddedPostgres(server, { logger, onGiveUp: gaveUp, retryDelaysMs: [1, 1, 1] });
  die();
  await until(() => calls === 2);
  await new Promise((ok) => setTimeout(ok, 20));
  expect(calls).toBe(2);
  expect(gaveUp).not.toHaveBeenCalled();
});

it('gives up when the server keeps dying', async () => {
  const { server, die } = fakeServer(async () => undefined);
  const gaveUp = jest.fn();
  watchEmbeddedPostgres(server, { logger, onGiveUp: gaveUp, retryDelaysMs: [1], maxRestarts: 2, windowMs: 60_000 });
  for (let i = 0; i < 3; i++) {
    die({ code: 1, signal: null });
    await until(() => server.restart.mock.calls.length === Math.min(i + 1, 2) || gaveUp.mock.calls.length > 0);
  }
  expect(server.restart).toHaveBeenCalledTimes(2);
  expect(gaveUp).toHaveBeenCalledTimes(1);
  expect(gaveUp.mock.calls[0][0]).toMatch(/exited 3 times within 1 minutes \(last: exit code 1\); exiting/);
});

it('does not bring back a server the service is stopping', async () => {
  const { server, die } = fakeServer(async () => {
    throw new Error('embedded PostgreSQL is stopping');
  });
  const gaveUp = jest.fn();
  watchEmbeddedPostgres(server, { logger, onGiveUp: gaveUp, retryDelaysMs: [1, 1, 1] });
  die();
  Object.defineProperty(server, 'stopped', { value: true });
  await new Promise((ok) => setTimeout(ok, 50));
  expect(server.restart).not.toHaveBeenCalled();
  expect(gaveUp).not.toHaveBeenCalled();
});
