import { IsEmail, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { Team } from '../common/enums';
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
}
