import { GraphQLError } from 'graphql';

/** Codes of the expected failures, in `extensions.code`. */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'BUSY' | 'QUERY_REJECTED';

abstract class CodedError extends GraphQLError {
  protected constructor(code: ErrorCode, message: string, field?: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...(field ? { field } : {}), ...extra } });
  }
}

/** The input is wrong: `field` names the input field, the message says why. */
export class BadInputError extends CodedError {
  constructor(field: string, reason: string) {
    super('BAD_USER_INPUT', `${field}: ${reason}`, field);
  }
}

/**
 * The answer would be larger than one response may be (QUERY_REJECTED, as the limits checked
 * before execution): `field` names the input that sizes it, the message says how to ask for less.
 */
export class TooLargeError extends CodedError {
  constructor(field: string, reason: string) {
    super('QUERY_REJECTED', `${field}: ${reason}`, field);
  }
}

export class NotFoundError extends CodedError {
  constructor(field: string, typeName: string, id: string) {
    super('NOT_FOUND', `${field}: no ${typeName} with id "${id}"`, field);
  }
}

/** The request clashes with what is stored: a duplicate key, a stale version, a closed deal. */
export class ConflictError extends CodedError {
  /** `extra` goes into `extensions` (e.g. `existingId`, the global id of the row a unique key already names). */
  constructor(field: string, reason: string, extra: Record<string, unknown> = {}) {
    super('CONFLICT', `${field}: ${reason}`, field, extra);
  }
}

/** The caller may not do this; with `field`, the message starts with the input field that was refused. */
export class ForbiddenError extends CodedError {
  constructor(reason = 'you are not allowed to do this', field?: string) {
    super('FORBIDDEN', field ? `${field}: ${reason}` : reason, field);
  }
}

export class UnauthenticatedError extends CodedError {
  constructor(reason = 'authentication required: send Authorization: Bearer <api key>') {
    super('UNAUTHENTICATED', reason);
  }
}

/**
 * The work asked for cannot start now (the caller's share of the database, or all of the
 * service's metric capacity, is in use): retry after `retryAfterSeconds`. Nothing was changed.
 * HTTP 429 when it is the caller's own share, 503 when the service is full.
 */
export class BusyError extends CodedError {
  constructor(reason: string, readonly scope: 'CALLER' | 'SERVICE', retryAfterSeconds = 1) {
    super('BUSY', reason, undefined, { scope, retryAfterSeconds });
  }
}

export function isExpectedError(error: unknown): boolean {
  return error instanceof CodedError;
}
