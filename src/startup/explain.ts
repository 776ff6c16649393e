import { StartupError } from './startup-error';

/** Host, port and database of a connection string, without its credentials. */
function target(url: string): { where: string; database: string } {
  try {
    const parsed = new URL(url);
    return { where: `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`, database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres' };
  } catch {
    return { where: 'the configured address', database: 'the configured database' };
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A failure to reach or use the database at start-up as one line that says what to do, or
 * undefined when it is not one of the known kinds. Never shows the password.
 */
export function explainDatabaseError(error: unknown, url: string, setting: string): StartupError | undefined {
  const { where, database } = target(url);
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return new StartupError(`cannot connect to PostgreSQL at ${where}: nothing accepts connections there; start it, or correct ${setting}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot connect to PostgreSQL at ${where}: the host name is not known; correct ${setting}`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StartupError(`cannot connect to PostgreSQL at ${where}: no answer (${code}); check the network and ${setting}`);
    case '28P01':
    case '28000':
      return new StartupError(`PostgreSQL at ${where} refused the user or password of ${setting} (${message}): correct them`);
    case '3D000':
      return new StartupError(`PostgreSQL at ${where} has no database "${database}": create it (createdb ${database}) or correct ${setting}`);
    case '42501':
      return new StartupError(`the user of ${setting} may not create the schema in "${database}" (${message}): grant it, or use the owner of the database`);
    default:
      if (/timeout/i.test(message) && /connect/i.test(message)) {
        return new StartupError(`cannot connect to PostgreSQL at ${where}: no answer in time; check that it runs and ${setting}`);
      }
      return undefined;
  }
}
