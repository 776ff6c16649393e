import { ArrayMaxSize } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { Lead } from '../leads/lead.entity';
import { AttributeType } from './policy.types';

/**
 * Custom attributes: a typed key–value map on leads and accounts (imported CRM fields), which
 * fit rules read as lead.attributes.<key> / account.attributes.<key>. Two output types, so the
 * ANALYST allow-list can mask a lead's values (personal) and show an account's.
 */

@ObjectType({ description: 'A custom attribute of a lead: a typed value under a case-sensitive key.' })
export class LeadAttribute {
  @Field({ description: 'The key (case-sensitive, 1–100 characters), as fit rules name it: lead.attributes.<key>.' })
  key: string;

  @Field(() => AttributeType, { description: 'Text, number or boolean.' })
  type: AttributeType;

  @Field({ description: 'The value as text: a number exactly as stored ("1200", "0.5"), a boolean as "true" or "false".' })
  value: string;
}

@ObjectType({ description: 'A custom attribute of an account: a typed value under a case-sensitive key.' })
export class AccountAttribute {
  @Field({ description: 'The key (case-sensitive, 1–100 characters), as fit rules name it: account.attributes.<key>.' })
  key: string;

  @Field(() => AttributeType, { description: 'Text, number or boolean.' })
  type: AttributeType;

  @Field({ description: 'The value as text: a number exactly as stored ("1200", "0.5"), a boolean as "true" or "false".' })
  value: string;
}

@InputType({ description: 'A custom attribute to set: its key and typed value.' })
export class AttributeInput {
  @Field({ description: 'The key: 1–100 characters, case-sensitive.' })
  key: string;

  @Field(() => AttributeType, { description: 'Text, number or boolean.' })
  type: AttributeType;

  @Field({ description: 'The value as text: a number as a decimal string ("1200", "-0.5", no exponent), a boolean as "true" or "false", text at most 1,000 characters.' })
  value: string;
}

@InputType({ description: 'Sets and removes custom attributes of a lead; keys not named stay as they are.' })
export class SetLeadAttributesInput {
  @Field(() => ID, { description: 'The lead.' })
  leadId: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => [AttributeInput], { defaultValue: [], description: 'Attributes to set (added, or replacing the value and type under the key).' })
  @ArrayMaxSize(200)
  set: AttributeInput[];

  @Field(() => [String], { defaultValue: [], description: 'Keys to remove (a key the lead does not have is ignored).' })
  @ArrayMaxSize(200)
  remove: string[];
}

@InputType({ description: 'Sets and removes custom attributes of an account; keys not named stay as they are.' })
export class SetAccountAttributesInput {
  @Field(() => ID, { description: 'The account.' })
  accountId: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => [AttributeInput], { defaultValue: [], description: 'Attributes to set (added, or replacing the value and type under the key).' })
  @ArrayMaxSize(200)
  set: AttributeInput[];

  @Field(() => [String], { defaultValue: [], description: 'Keys to remove (a key the account does not have is ignored).' })
  @ArrayMaxSize(200)
  remove: string[];
}

@ObjectType({ description: 'Result of setLeadAttributes.' })
export class SetLeadAttributesPayload {
  @Field(() => Lead, { description: 'The lead with its attributes as changed.' })
  lead: Lead;
}

@ObjectType({ description: 'Result of setAccountAttributes.' })
export class SetAccountAttributesPayload {
  @Field(() => Account, { description: 'The account with its attributes as changed.' })
  account: Account;
}
