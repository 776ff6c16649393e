import type { MiddlewareFn } from 'type-graphql';
import type { Context } from '../graphql/context';
import { ForbiddenError, UnauthenticatedError } from '../graphql/errors';
import { ADMIN_QUERIES, MUTATION_ROLES, QUERY_ROLES } from './policy';
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
  } else if (parent === 'Query' && QUERY_ROLES[info.fieldName] && !QUERY_ROLES[info.fieldName]?.includes(actor.role)) {
    throw new ForbiddenError(`role ${actor.role} may not read ${info.fieldName}`);
  }
  return next();
};
