import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context';
import { PageArgs } from '../graphql/connection';
import { toGlobalId } from '../graphql/node';
import { User } from './user.entity';
import { createUser, listUsers } from './user.service';
import { CreateUserInput, CreateUserPayload, UserConnection, UserFilter, UserOrder } from './user.types';

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() user: User): string {
    return toGlobalId('User', user.id);
  }

  @Query(() => UserConnection, { description: 'Users, by name (by id for ANALYST callers, who do not see names).' })
  users(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => UserFilter, { nullable: true, description: 'Which users to list.' }) filter?: UserFilter,
    @Arg('orderBy', () => UserOrder, { nullable: true, description: 'Order; ties break on id. Default: by name (by id for ANALYST callers).' })
    orderBy?: UserOrder,
  ) {
    return listUsers(ctx, filter, page, orderBy);
  }

  @Mutation(() => CreateUserPayload, { description: 'Adds a user to a team.' })
  async createUser(@Ctx() ctx: Context, @Arg('input', () => CreateUserInput) input: CreateUserInput): Promise<CreateUserPayload> {
    return { user: await createUser(ctx, input) };
  }
}
