import { createHmac, randomBytes } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import type { Context } from '../graphql/context';
import { ForbiddenError, UnauthenticatedError } from '../graphql/errors';
import { ADMIN_QUERIES, MUTATION_ROLES } from './policy';
import { Role } from './roles';

/**
 * Runs before every root field: a caller is required, mutations need a role of the policy,
 * admin queries need ADMIN. Checked before any object is read, so a refusal never tells
 * whether the object exists.
 */
export const authorizeRootFields: MiddlewareFn<Context> = async ({ context, info }, next) => {
  const parent = info.parentType.name;
  if (parent !== 'Mutation' && parent !== 'Query') return next();
  const actor = context.actor;
  if (!actor) throw new UnauthenticatedError();
  if (parent === 'Mutation') {
    const allowed = MUTATION_ROLES[info.fieldName];
    if (!allowed?.includes(actor.role)) throw new ForbiddenError(`role ${actor.role} may not call ${info.fieldName}`);
    context.mutation = info.fieldName;
  } else if (ADMIN_QUERIES.has(info.fieldName) && actor.role !== Role.ADMIN) {
    throw new ForbiddenError(`role ${actor.role} may not read ${info.fieldName}`);
  }
  return next();
};

/**
 * Key of the pseudonyms: PII_PSEUDONYM_KEY keeps them stable across restarts and replicas;
 * without it a random key per process keeps them stable only within one run. A keyed hash,
 * so a list of known emails cannot be hashed and matched against them.
 */
const PSEUDONYM_KEY = process.env.PII_PSEUDONYM_KEY || randomBytes(32).toString('hex');

function pseudonym(value: string): string {
  return createHmac('sha256', PSEUDONYM_KEY).update(value.toLowerCase()).digest('hex').slice(0, 16);
}

/**
 * Personal data for ANALYST callers (BI tools): emails become a stable pseudonym (so rows
 * can still be joined and counted), names become "[redacted]".
 */
export const maskPersonalData: MiddlewareFn<Context> = async ({ context, info }: { context: Context; info: GraphQLResolveInfo }, next) => {
  const value: unknown = await next();
  if (context.actor?.role !== Role.ANALYST || value == null) return value;
  if (info.fieldName === 'email' && typeof value === 'string') return `redacted-${pseudonym(value)}@example.invalid`;
  return '[redacted]';
};
