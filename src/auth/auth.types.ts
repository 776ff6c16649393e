import { Length } from 'class-validator';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { SortDirection } from '../common/enums';
import { connectionTypes } from '../graphql/connection';
import { TimeRange } from '../common/types';
import { ApiKey } from './api-key.entity';
import { AuditEntry } from './audit-entry.entity';
import { Role } from './roles';

export const { ConnectionType: ApiKeyConnection } = connectionTypes(ApiKey, 'ApiKey', 'API keys');
export const { ConnectionType: AuditEntryConnection } = connectionTypes(AuditEntry, 'AuditEntry', 'audit entries');

@InputType({ description: 'A new API key.' })
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for.' })
  @Length(1, 200)
  name: string;

  @Field(() => Role, { description: 'What it may do.' })
  role: Role;

  @Field(() => ID, { nullable: true, description: 'User the key acts as (needed to approve agreements for a team).' })
  userId?: string | null;
}

@InputType({ description: 'Revokes an API key.' })
export class RevokeApiKeyInput {
  @Field(() => ID, { description: 'Id of the key (ApiKey.id).' })
  id: string;
}

@ObjectType({ description: 'Result of createApiKey: the secret is shown this once.' })
export class CreateApiKeyPayload {
  @Field(() => ApiKey, { description: 'The key.' })
  apiKey: ApiKey;

  @Field({ description: 'The secret to send as "Authorization: Bearer <secret>". It is not stored and cannot be shown again.' })
  secret: string;
}

@ObjectType({ description: 'Result of revokeApiKey.' })
export class RevokeApiKeyPayload {
  @Field(() => ApiKey, { description: 'The revoked key.' })
  apiKey: ApiKey;
}

@InputType({ description: 'Which audit entries to list.' })
export class AuditFilter {
  @Field(() => String, { nullable: true, description: 'Only writes by this actor ("key:<id>", "jwt:<subject>").' })
  actor?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this mutation.' })
  mutation?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this table, e.g. "accounts".' })
  objectType?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this object (database id; with objectType).' })
  objectId?: string | null;

  @Field(() => TimeRange, { nullable: true, description: 'Only writes in this range.' })
  at?: TimeRange | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only entries changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.',
  })
  updatedAfter?: Date | null;
}

export enum AuditOrderField {
  AT = 'AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(AuditOrderField, { name: 'AuditOrderField', description: 'What to order audit entries by.' });

@InputType({ description: 'Order of the audit log; ties break on id.' })
export class AuditOrder {
  @Field(() => AuditOrderField, { description: 'Field to order by.' })
  field: AuditOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

@InputType({ description: 'Which API keys to list.' })
export class ApiKeyFilter {
  @Field(() => Date, { nullable: true, description: 'Only keys changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

export enum ApiKeyOrderField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(ApiKeyOrderField, { name: 'ApiKeyOrderField', description: 'What to order API keys by.' });

@InputType({ description: 'Order of a list of API keys; ties break on id.' })
export class ApiKeyOrder {
  @Field(() => ApiKeyOrderField, { description: 'Field to order by.' })
  field: ApiKeyOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}
