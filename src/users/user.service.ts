import { seesPersonalData } from '../auth/analyst-masking';
import { normalisedEmail, requiredText, writtenTime } from '../common/validation';
import { fetchPage } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { Context } from '../graphql/context';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import { runMutation } from '../graphql/mutation';
import { User } from './user.entity';
import { addUpdatedAfter, sortOf } from '../graphql/ordering';
import { UserOrderField } from './user.types';
import type { CreateUserInput, UserFilter, UserOrder } from './user.types';

const ORDER_COLUMNS: Record<UserOrderField, string> = {
  [UserOrderField.NAME]: 't.name',
  [UserOrderField.CREATED_AT]: 't.created_at',
  [UserOrderField.UPDATED_AT]: 't.updated_at',
};

export async function createUser(ctx: Context, input: CreateUserInput): Promise<User> {
  return runMutation(ctx, (tx) =>
    tx.getRepository(User).save(
      tx.getRepository(User).create({
        name: requiredText('input.name', input.name),
        email: normalisedEmail('input.email', input.email),
        team: input.team,
        externalId: input.externalId ?? null,
        createdAt: writtenTime(ctx, 'input.createdAt', input.createdAt),
      }),
    ),
  );
}

export function listUsers(ctx: Context, filter: UserFilter | undefined, page: PageArgs, order?: UserOrder | null): Promise<ConnectionResult<User>> {
  const params = new SqlParams();
  const where: string[] = [];
  if (filter?.team) where.push(`t.team = ${params.add(filter.team)}`);
  addUpdatedAfter(where, (v) => params.add(v), filter?.updatedAfter, 'filter.updatedAfter');
  if (order) return fetchPage<User>(ctx, { entity: User, where, params, ...sortOf(ORDER_COLUMNS, order, UserOrderField.NAME) }, page);
  // by name for those who see names; ANALYST callers do not, and a cursor carries its sort value
  const sort = seesPersonalData(ctx)
    ? { sortName: 'name:ASC', sortColumn: 't.name' }
    : { sortName: 'id:ASC', sortColumn: 't.id' };
  return fetchPage<User>(ctx, { entity: User, where, params, ...sort, direction: 'ASC' }, page);
}
