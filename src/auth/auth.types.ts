import { Length } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
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
}
