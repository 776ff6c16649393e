import { DataSource, QueryFailedError } from 'typeorm';
import { BadInputError, ConflictError, NotFoundError } from '../graphql/errors';
import { NodeTypeName, toGlobalId } from '../graphql/node';

/** Input field behind each constraint, for errors that name what the user got wrong. */
const CONSTRAINT_FIELDS: Record<string, string> = {
  users_email_key: 'email',
  users_external_id_key: 'externalId',
  accounts_domain_key: 'domain',
  accounts_external_id_key: 'externalId',
  leads_email_key: 'email',
  leads_external_id_key: 'externalId',
  campaigns_external_id_key: 'externalId',
  campaign_spend_external_id_key: 'externalId',
  touchpoints_external_id_key: 'externalId',
  opportunities_external_id_key: 'externalId',
  lead_feedback_external_id_key: 'externalId',
  alignment_agreements_version_key: 'version',
};

/** Where the row a unique key names lives: its table, its Node type and the key's SQL over alias `t`. */
const UNIQUE_KEYS: Record<string, { table: string; type: NodeTypeName; key: string }> = {
  users_email_key: { table: 'users', type: 'User', key: 'lower(t.email)' },
  users_external_id_key: { table: 'users', type: 'User', key: 't.external_id' },
  accounts_domain_key: { table: 'accounts', type: 'Account', key: 't.domain' },
  accounts_external_id_key: { table: 'accounts', type: 'Account', key: 't.external_id' },
  leads_email_key: { table: 'leads', type: 'Lead', key: 'lower(t.email)' },
  leads_external_id_key: { table: 'leads', type: 'Lead', key: 't.external_id' },
  campaigns_external_id_key: { table: 'campaigns', type: 'Campaign', key: 't.external_id' },
  campaign_spend_external_id_key: { table: 'campaign_spend', type: 'CampaignSpend', key: 't.external_id' },
  touchpoints_external_id_key: { table: 'touchpoints', type: 'Touchpoint', key: 't.external_id' },
  opportunities_external_id_key: { table: 'opportunities', type: 'Opportunity', key: 't.external_id' },
  lead_feedback_external_id_key: { table: 'lead_feedback', type: 'LeadFeedback', key: 't.external_id' },
};

/**
 * A unique key already taken, as translateDbError reports it inside the failed transaction; once
 * that transaction is gone, withExistingId looks up the row holding the key and names its id.
 */
export class DuplicateKeyError extends ConflictError {
  constructor(
    readonly field: string,
    readonly constraint: string,
    readonly value: string,
  ) {
    super(field, `already taken ("${value}")`);
  }
}

/**
 * A DuplicateKeyError with the global id of the existing row in `extensions.existingId` and in
 * the message (`input.domain: already taken by Account QWNjb3VudDox ("acme.com")`), so a failed
 * load can be resumed with an update; any other error comes back as it is. Runs after the
 * mutation's transaction has rolled back (the row is another transaction's, committed).
 */
export async function withExistingId(ds: DataSource, error: unknown): Promise<unknown> {
  if (!(error instanceof DuplicateKeyError)) return error;
  const where = UNIQUE_KEYS[error.constraint];
  if (!where) return error;
  try {
    const [row] = (await ds.query(`SELECT t.id::text AS id FROM ${where.table} t WHERE ${where.key} = $1 LIMIT 1`, [error.value])) as {
      id: string;
    }[];
    if (!row) return error;
    const existingId = toGlobalId(where.type, row.id);
    return new ConflictError(error.field, `already taken by ${where.type} ${existingId} ("${error.value}")`, { existingId });
  } catch {
    // the look-up is a courtesy: the conflict stands without it
    return error;
  }
}

interface PgErrorFields {
  code?: string;
  constraint?: string;
  detail?: string;
  table?: string;
}

/**
 * Turns a constraint violation the database raised into a typed GraphQL error naming the
 * input field; returns the error unchanged when it is not one (it is then masked and logged).
 */
export function translateDbError(error: unknown, inputPath = 'input'): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const pg = error.driverError as PgErrorFields;
  // PostgreSQL's detail ("Key (lower(email))=(a@b.io) already exists.") shows SQL: only the value goes out
  const key = /^Key \(([^)]*(?:\))?)\)=\((.*)\) (?:already exists|is not present in table "(\w+)")/s.exec(pg.detail ?? '');
  const column = key?.[1] && /^\w+$/.test(key[1]) ? key[1].replace(/_(\w)/g, (_m, c: string) => c.toUpperCase()) : null;
  const field = `${inputPath}.${(pg.constraint && CONSTRAINT_FIELDS[pg.constraint]) || column || 'unknown'}`;
  switch (pg.code) {
    case '23505':
      if (key?.[2] !== undefined && pg.constraint && UNIQUE_KEYS[pg.constraint]) return new DuplicateKeyError(field, pg.constraint, key[2]);
      return new ConflictError(field, key ? `already taken ("${key[2]}")` : 'already taken');
    case '23503':
      return new NotFoundError(field, key?.[3] ?? 'row', key?.[2] ?? '');
    case '23514':
      return new BadInputError(`${inputPath}`, `violates the rule ${pg.constraint ?? ''}`.trim());
    case '22003':
      return new BadInputError(inputPath, 'a number is out of range');
    case '22P02':
    case '22007':
    case '22008':
      return new BadInputError(inputPath, 'a value has an invalid format');
    case '22021': // character_not_in_repertoire: text with a NUL byte
    case '22P05': // untranslatable_character: \u0000 in jsonb
      return new BadInputError(inputPath, 'a text contains a character that cannot be stored (NUL)');
    case '22001': // string_data_right_truncation
    case '54000': // program_limit_exceeded: e.g. a value too long for a unique index
      return new BadInputError(inputPath, 'a value is too long');
    default:
      return error;
  }
}

/** Socket errors of a database that is down, restarting or out of reach. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server going away or refusing connections: shutdown, crash, start-up, no slots. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What pg and pg-pool say when the connection is gone (these errors carry no code). */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Connection is not established|the database system is (shutting down|starting up|in recovery mode)/i;

/** What pg-pool says when every connection stayed in use for its whole wait (connectionTimeoutMillis). */
const POOL_EXHAUSTED_MESSAGE = 'timeout exceeded when trying to connect';

/** What a client is told when no connection of the pool became free in time. */
export const DATABASE_BUSY_MESSAGE = 'busy: every database connection is in use; retry shortly';

/**
 * Whether an error means the pool had no free connection in time: the database answers, the
 * service is busy. The request may be retried (503 BUSY), and /health (its own connection) stays up.
 */
export function isPoolExhausted(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { message, driverError, cause, thrownValue } = error as { message?: unknown; driverError?: unknown; cause?: unknown; thrownValue?: unknown };
  if (message === POOL_EXHAUSTED_MESSAGE) return true;
  return [driverError, cause, thrownValue].some((inner) => isPoolExhausted(inner, depth + 1));
}

/** What a client is told when the database cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'the database is unavailable; retry shortly';

/**
 * Whether an error means the database cannot be reached right now (as opposed to a bad query):
 * the request may be retried, so it is answered 503 SERVICE_UNAVAILABLE rather than a 500.
 * Looks through TypeORM's QueryFailedError (driverError), `cause`, AggregateError and NonErrorThrown.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, driverError, cause, errors, thrownValue } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
    /** graphql-js wraps a thrown value that is not an Error (of this realm) in NonErrorThrown. */
    thrownValue?: unknown;
  };
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || UNAVAILABLE_STATES.has(code) || /^08/.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  // TypeORM releases a transaction's runner when its connection dies; the next statement says so
  const { name } = error as { name?: unknown };
  if (name === 'QueryRunnerAlreadyReleasedError' || name === 'QueryRunnerProviderAlreadyReleasedError') return true;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return [driverError, cause, thrownValue].some((inner) => isDatabaseUnavailable(inner, depth + 1));
}
