import { seesPersonalData } from '../auth/analyst-masking';
import { normalisedEmail, requiredText, writtenTime } from '../common/validation';
import { fetchPage } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { Context } from '../graphql/context';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import { runMutation } from '../graphql/mutation';
import { User } from './user.entity';
import type { CreateUserInput, UserFilter } from './user.types';

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

export function listUsers(ctx: Context, filter: UserFilter | undefined, page: PageArgs): Promise<ConnectionResult<User>> {
  const params = new SqlParams();
  const where: string[] = [];
  if (filter?.team) where.push(`t.team = ${params.add(filter.team)}`);
  // by name for those who see names; ANALYST callers do not, and a cursor carries its sort value
  const sort = seesPersonalData(ctx)
    ? { sortName: 'name:ASC', sortColumn: 't.name' }
    : { sortName: 'id:ASC', sortColumn: 't.id' };
  return fetchPage<User>(ctx, { entity: User, where, params, ...sort, direction: 'ASC' }, page);
}
