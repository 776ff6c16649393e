import { IsEmail, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { SortDirection, Team } from '../common/enums';
import { connectionTypes } from '../graphql/connection';
import { User } from './user.entity';

export const { ConnectionType: UserConnection } = connectionTypes(User, 'User', 'users');

@InputType({ description: 'A new user.' })
export class CreateUserInput {
  @Field({ description: 'Full name.' })
  @Length(1, 200)
  name: string;

  @Field({ description: 'Work email address; stored in lower case and Unicode NFC; control and invisible characters (zero-width, bidi) are refused; unique.' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @Field(() => Team, { description: 'Team the user works in.' })
  team: Team;

  @Field(() => String, { nullable: true, description: 'Id in the system the user is imported from; unique.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the user was created; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  createdAt?: Date | null;
}

@ObjectType({ description: 'Result of createUser.' })
export class CreateUserPayload {
  @Field(() => User, { description: 'The new user.' })
  user: User;
}

@InputType({ description: 'Which users to list.' })
export class UserFilter {
  @Field(() => Team, { nullable: true, description: 'Only users of this team.' })
  team?: Team | null;

  @Field(() => Date, { nullable: true, description: 'Only users changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

export enum UserOrderField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(UserOrderField, { name: 'UserOrderField', description: 'What to order users by (NAME is refused for ANALYST callers, who do not see names).' });

@InputType({ description: 'Order of a user list; ties break on id.' })
export class UserOrder {
  @Field(() => UserOrderField, { description: 'Field to order by.' })
  field: UserOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}
