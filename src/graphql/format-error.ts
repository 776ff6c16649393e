import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';

interface ValidationIssue {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationIssue[];
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
]);

/**
 * Expected errors go to the client as they are (validation errors reworded to name their
 * field); anything else is logged with its stack and masked.
 */
export function makeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const validation = formatted.extensions?.validationErrors as ValidationIssue[] | undefined;
    if (code === 'BAD_USER_INPUT' && validation) {
      const issue = firstIssue(validation, formatted.path ? '' : '');
      const argPath = issue ? issue.field : 'input';
      const field = argPath.startsWith('input') ? argPath : `input.${argPath}`;
      return {
        message: issue ? `${field}: ${issue.reason}` : formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code, field },
      };
    }
    if (typeof code === 'string' && EXPOSED_CODES.has(code)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = unwrapResolverError(error);
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL request');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
