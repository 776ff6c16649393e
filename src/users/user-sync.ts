import { Length } from 'class-validator';
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { assertMayLookUpPeople, changedFields, findByExternalId, upsertByExternalId, UpsertOutcome } from '../common/sync';
import { normalisedEmail, requiredText } from '../common/validation';
import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';
import { User } from './user.entity';
import { createUser } from './user.service';
import { CreateUserInput } from './user.types';

@InputType({
  description:
    'A user by their id in the source system: created when no user has the externalId, else changed to these values (createdAt applies only when it creates).',
})
export class UpsertUserInput extends CreateUserInput {
  @Field({ description: 'Id in the source system; names the user to create or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@ObjectType({ description: 'Result of upsertUser.' })
export class UpsertUserPayload {
  @Field(() => User, { description: 'The user as stored now.' })
  user: User;

  @Field({ description: 'Whether the user was created (false: they existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

/** Creates the user with `input.externalId` through createUser, or changes name, email and team (validated as createUser does). */
export async function upsertUser(ctx: Context, input: UpsertUserInput): Promise<UpsertUserPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, User, input.externalId, {
    create: (txCtx) => createUser(txCtx, input),
    update: async (_txCtx, existing, tx) => {
      const { name, email, team } = input;
      const changes = changedFields({ name, email, team }, { ...existing }, { email: (e) => normalisedEmail('input.email', e) });
      if (Object.keys(changes).length === 0) return null;
      if (changes.name !== undefined) existing.name = requiredText('input.name', changes.name);
      if (changes.email !== undefined) existing.email = normalisedEmail('input.email', changes.email);
      if (changes.team !== undefined) existing.team = changes.team;
      return tx.getRepository(User).save(existing);
    },
  });
  return { user: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

@Resolver()
export class UserSyncResolver {
  @Query(() => User, {
    nullable: true,
    description: 'The user with this id in the source system; null when there is none. Refused (FORBIDDEN) for ANALYST callers.',
  })
  userByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    assertMayLookUpPeople(ctx, 'externalId', 'User.externalId');
    return findByExternalId(ctx, User, externalId);
  }

  @Query(() => User, {
    nullable: true,
    description: 'The user with this email (any case); null when there is none. Refused (FORBIDDEN) for ANALYST callers.',
  })
  userByEmail(@Ctx() ctx: Context, @Arg('email', { description: 'Work email address.' }) email: string) {
    assertMayLookUpPeople(ctx, 'email', 'User.email');
    return managerOf(ctx)
      .getRepository(User)
      .createQueryBuilder('t')
      .where('lower(t.email) = lower(:email)', { email: normalisedEmail('email', email) })
      .getOne();
  }

  @Mutation(() => UpsertUserPayload, { description: 'Creates the user with this externalId, or changes them to these values (one transaction).' })
  upsertUser(@Ctx() ctx: Context, @Arg('input', () => UpsertUserInput) input: UpsertUserInput): Promise<UpsertUserPayload> {
    return upsertUser(ctx, input);
  }
}
