import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Segment, SortDirection } from '../common/enums';
import { TimeRange } from '../common/types';
import { connectionTypes } from '../graphql/connection';
import { MoneyScalar } from '../graphql/scalars';
import { Account } from './account.entity';

export const { ConnectionType: AccountConnection } = connectionTypes(Account, 'Account', 'accounts');

export enum AccountOrderField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(AccountOrderField, { name: 'AccountOrderField', description: 'What to order accounts by.' });

@InputType({ description: 'Order of an account list; ties break on id.' })
export class AccountOrder {
  @Field(() => AccountOrderField, { description: 'Field to order by.' })
  field: AccountOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

@InputType({ description: 'Which accounts to list.' })
export class AccountFilter {
  @Field(() => [Segment], { nullable: true, description: 'Only accounts in these segments.' })
  segments?: Segment[] | null;

  @Field(() => ID, { nullable: true, description: 'Only accounts owned by this user.' })
  ownerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Name or domain contains this text (case-insensitive).' })
  @IsOptional()
  @MaxLength(200)
  search?: string | null;

  @Field(() => TimeRange, { nullable: true, description: 'Created in this range.' })
  createdAt?: TimeRange | null;

  @Field(() => Date, { nullable: true, description: 'Only accounts changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

@InputType({ description: 'A new account.' })
export class CreateAccountInput {
  @Field({ description: 'Company name.' })
  @Length(1, 200)
  name: string;

  @Field({ description: 'Web domain (e.g. "acme.com"); stored lower case; control and invisible characters are refused; unique.' })
  @Length(3, 253)
  domain: string;

  @Field(() => Segment, { description: 'Market segment.' })
  segment: Segment;

  @Field(() => String, { nullable: true, description: 'Industry.' })
  @IsOptional()
  @MaxLength(200)
  industry?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Estimated annual spend in our category; >= 0.' })
  walletSize?: string | null;

  @Field(() => ID, { nullable: true, description: 'Owning user (usually sales).' })
  ownerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Id in the source system; unique, for repeatable imports.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the account was created; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  createdAt?: Date | null;
}

@InputType({ description: 'Changes to an account; omitted fields stay as they are.' })
export class UpdateAccountInput {
  @Field(() => ID, { description: 'The account to change.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the update fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => String, { nullable: true, description: 'Why (a correction; at most 500 characters); kept in the audit log entry of the update.' })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'Company name.' })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Web domain; unique.' })
  @IsOptional()
  @Length(3, 253)
  domain?: string | null;

  @Field(() => Segment, { nullable: true, description: 'Market segment.' })
  segment?: Segment | null;

  @Field(() => String, { nullable: true, description: 'Industry; null clears it.' })
  @IsOptional()
  @MaxLength(200)
  industry?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Wallet size; null clears it.' })
  walletSize?: string | null;

  @Field(() => ID, { nullable: true, description: 'Owning user; null clears it.' })
  ownerId?: string | null;
}

@ObjectType({ description: 'Result of createAccount.' })
export class CreateAccountPayload {
  @Field(() => Account, { description: 'The new account.' })
  account: Account;
}

@ObjectType({ description: 'Result of updateAccount.' })
export class UpdateAccountPayload {
  @Field(() => Account, { description: 'The account as changed.' })
  account: Account;
}
