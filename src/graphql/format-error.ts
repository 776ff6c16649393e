import { GraphQLError, GraphQLFormattedError, Kind } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { QueryFailedError } from 'typeorm';
import { DATABASE_BUSY_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, isPoolExhausted } from '../db/db-errors';

interface ValidationIssue {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationIssue[];
  /** The object validated: an instance of the argument's input class (e.g. AccountFilter). */
  target?: object;
}

const PAGE_ARGS = new Set(['first', 'after', 'last', 'before']);

/**
 * The argument a class-validator failure is about. The error does not say, so it is read from
 * the field's arguments in the query: the one whose name ends the failing input class's name
 * (`filter` for AccountFilter, `input` for CreateAccountInput), else the only non-paging one.
 */
function argumentOf(error: unknown, issue: ValidationIssue | undefined): string {
  const node = error instanceof GraphQLError ? error.nodes?.[0] : undefined;
  const args = node?.kind === Kind.FIELD ? (node.arguments ?? []).map((a) => a.name.value).filter((n) => !PAGE_ARGS.has(n)) : [];
  const className = issue?.target?.constructor.name.toLowerCase() ?? '';
  return args.find((name) => className.endsWith(name.toLowerCase())) ?? (args.length === 1 ? (args[0] as string) : 'input');
}

/**
 * The input field of a variable that failed coercion (a malformed date, an unknown enum value),
 * from graphql-js's message: `Variable "$input" got invalid value ... at "input.createdAt"; ...`.
 * The path is the variable's, which clients name like the argument (`$input`).
 */
function fieldOfVariableError(message: string): string | null {
  const variable = /^Variable "\$(\w+)" (?:got|has) invalid value .*?(?: at "([^"]+)")?; /s.exec(message);
  if (!variable) return /^Variable "\$(\w+)" of (?:required|non-null) type/.exec(message)?.[1] ?? null;
  const path = variable[2] ?? (variable[1] as string);
  const missing = /; Field "(\w+)" of required type .* was not provided\.$|; Field "(\w+)" is not defined by type/.exec(message);
  const child = missing?.[1] ?? missing?.[2];
  return child ? `${path}.${child}` : path;
}

/** The first failing field of a class-validator tree, as "input.email" and its reason. */
function firstIssue(issues: ValidationIssue[], path: string): { field: string; reason: string } | null {
  for (const issue of issues) {
    const field = path ? `${path}.${issue.property}` : issue.property;
    const reason = issue.constraints && Object.values(issue.constraints)[0];
    if (reason) return { field, reason: reason.replace(new RegExp(`^${issue.property} `), '') };
    const nested = firstIssue(issue.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

/** graphql-js stops coercing variables after 50 errors with this codeless error: still the client's input. */
const TOO_MANY_VARIABLE_ERRORS = 'Too many errors processing variables, error limit reached. Execution aborted.';

/**
 * PostgreSQL errors caused by a value a query passed on as it came (mutations translate theirs
 * in runMutation): NUL characters, impossible dates, texts too long for an index.
 */
const UNSTORABLE_VALUE_CODES = new Set(['22021', '22P05', '22007', '22008', '22001', '54000']);

const EXPOSED_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_REJECTED',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'BUSY',
  'TIMEOUT',
]);

/** What a client is told when a statement of its request ran past STATEMENT_TIMEOUT_MS. */
export const STATEMENT_TIMEOUT_MESSAGE =
  'the request ran longer than the statement time limit and was stopped: narrow it (a shorter window, fewer rows) or retry later';

/**
 * Expected errors go to the client as they are (validation errors reworded to name their
 * field); anything else is logged with its stack and masked.
 */
export function makeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.message === TOO_MANY_VARIABLE_ERRORS && !formatted.path ? 'BAD_USER_INPUT' : formatted.extensions?.code;
    const rawValidation = formatted.extensions?.validationErrors;
    if (code === 'BAD_USER_INPUT' && rawValidation) {
      // a validator that crashed on the value (isEmail on a lone surrogate throws URIError)
      // leaves its exception here instead of a list: the value is still bad input
      const validation = Array.isArray(rawValidation) ? (rawValidation as ValidationIssue[]) : [];
      const argument = argumentOf(error, validation[0]);
      const issue = firstIssue(validation, argument);
      const field = issue?.field ?? argument;
      const fallback = Array.isArray(rawValidation) ? formatted.message : `${field}: is not a valid value`;
      return {
        message: issue ? `${field}: ${issue.reason}` : fallback,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code, field },
      };
    }
    if (typeof code === 'string' && EXPOSED_CODES.has(code)) {
      const withCode: Record<string, unknown> = { ...formatted.extensions, code };
      const { stacktrace: _stack, ...extensions } = withCode;
      const field = code === 'BAD_USER_INPUT' && extensions.field === undefined ? fieldOfVariableError(formatted.message) : null;
      return { ...formatted, extensions: field ? { ...extensions, field } : extensions };
    }
    const original = unwrapResolverError(error);
    if (isPoolExhausted(original)) {
      logger.warn({ path: formatted.path }, 'no database connection became free in time');
      return {
        message: DATABASE_BUSY_MESSAGE,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'BUSY', scope: 'SERVICE', retryAfterSeconds: 1 },
      };
    }
    if (isDatabaseUnavailable(original)) {
      // the database is down or restarting: say so (the HTTP layer answers 503), the client may retry
      logger.warn({ err: original, path: formatted.path }, 'the database is unavailable');
      return {
        message: DATABASE_UNAVAILABLE_MESSAGE,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      };
    }
    const pgCode = original instanceof QueryFailedError ? (original.driverError as { code?: unknown }).code : undefined;
    if (typeof pgCode === 'string' && UNSTORABLE_VALUE_CODES.has(pgCode)) {
      // a filter or cursor value PostgreSQL refused: the client's input, said without PostgreSQL's words
      logger.warn({ err: original, path: formatted.path }, 'the database refused a value of a request');
      const field = argumentOf(error, undefined);
      return {
        message: `${field}: holds a value the database cannot take (a NUL character, a day that does not exist or a text too long)`,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'BAD_USER_INPUT', field },
      };
    }
    if (pgCode === '57014') {
      // cancelled by statement_timeout (or a cancel request): the request was too heavy or
      // waited too long, not a fault of the server; said as such, without PostgreSQL's words
      logger.warn({ err: original, path: formatted.path }, 'a statement of a request ran past the statement time limit');
      return {
        message: STATEMENT_TIMEOUT_MESSAGE,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'TIMEOUT' },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL request');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
