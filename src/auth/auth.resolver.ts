import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { ApiKey } from './api-key.entity';
import { createApiKey, listApiKeys, revokeApiKey } from './api-key.service';
import { AuditEntry } from './audit-entry.entity';
import { listAuditEntries } from './audit-log.service';
import {
  ApiKeyConnection,
  ApiKeyFilter,
  ApiKeyOrder,
  AuditEntryConnection,
  AuditFilter,
  AuditOrder,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
} from './auth.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @FieldResolver(() => ID, { description: 'Id of the key (used to revoke it).' })
  id(@Root() key: ApiKey): string {
    return key.id;
  }

  @Query(() => ApiKeyConnection, { description: 'API keys, newest first (ADMIN only). Secrets are never shown.' })
  apiKeys(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => ApiKeyFilter, { nullable: true, description: 'Which keys.' }) filter?: ApiKeyFilter,
    @Arg('orderBy', () => ApiKeyOrder, { nullable: true, description: 'Order; ties break on id. Newest first unless told otherwise.' }) orderBy?: ApiKeyOrder,
  ) {
    return listApiKeys(ctx, filter, orderBy, page);
  }

  @Mutation(() => CreateApiKeyPayload, { description: 'Creates an API key (ADMIN only); its secret is returned once.' })
  createApiKey(@Ctx() ctx: Context, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput): Promise<CreateApiKeyPayload> {
    return createApiKey(ctx, input);
  }

  @Mutation(() => RevokeApiKeyPayload, { description: 'Revokes an API key (ADMIN only); it is refused from then on.' })
  async revokeApiKey(@Ctx() ctx: Context, @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput): Promise<RevokeApiKeyPayload> {
    return { apiKey: await revokeApiKey(ctx, input.id) };
  }
}

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: 'Every write, newest first (ADMIN only).' })
  auditLog(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => AuditFilter, { nullable: true, description: 'Which entries.' }) filter?: AuditFilter,
    @Arg('orderBy', () => AuditOrder, { nullable: true, description: 'Order; ties break on id. Newest first unless told otherwise.' }) orderBy?: AuditOrder,
  ) {
    return listAuditEntries(ctx, filter, orderBy, page);
  }
}
