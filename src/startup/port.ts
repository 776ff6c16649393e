import { createServer } from 'node:net';
import { describeProcess, listenerOf } from './processes';
import { StartupError } from './startup-error';

/** Why a port cannot be listened on, as one line naming the setting to change. */
export function portProblem(error: NodeJS.ErrnoException, port: number, host: string, setting: string): StartupError {
  if (error.code === 'EADDRINUSE') {
    const holder = listenerOf(port);
    const by = holder === undefined ? '' : holder === process.pid ? ' by this process' : ` by ${describeProcess(holder)}`;
    return new StartupError(
      `port ${port} is already taken${by}: stop that process (is the service already running?) or set ${setting} to a free port`,
    );
  }
  if (error.code === 'EACCES') {
    return new StartupError(`not allowed to listen on port ${port}: ports below 1024 need privileges; set ${setting} to a port above 1023`);
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new StartupError(`cannot listen on ${host}: it is not an address of this machine; set HOST to 0.0.0.0 or one of its addresses`);
  }
  return new StartupError(`cannot listen on ${host}:${port} (${error.code ?? error.message}): set ${setting} to another port`);
}

/**
 * Fails with a StartupError when `host:port` cannot be listened on right now (checked by
 * listening and closing again). Port 0 (any free port) always passes.
 */
export function ensurePortFree(port: number, host: string, setting: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => fail(portProblem(error, port, host, setting)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => ok()));
  });
}
