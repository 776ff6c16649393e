import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { fetchPage } from '../db/list-query';
import { SqlParams } from '../db/sql';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { addRange } from '../graphql/ordering';
import { ApiKey } from './api-key.entity';
import { createApiKey, revokeApiKey } from './api-key.service';
import { AuditEntry } from './audit-entry.entity';
import {
  ApiKeyConnection,
  AuditEntryConnection,
  AuditFilter,
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
  apiKeys(@Ctx() ctx: Context, @Args() page: PageArgs) {
    return fetchPage<ApiKey>(
      ctx,
      { entity: ApiKey, where: [], params: new SqlParams(), sortName: 'id:DESC', sortColumn: 't.id', direction: 'DESC' },
      page,
    );
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
  ) {
    const params = new SqlParams();
    const add = (v: unknown) => params.add(v);
    const where: string[] = [];
    if (filter?.actor) where.push(`t.actor = ${add(filter.actor)}`);
    if (filter?.mutation) where.push(`t.mutation = ${add(filter.mutation)}`);
    if (filter?.objectType) where.push(`t.object_type = ${add(filter.objectType)}`);
    if (filter?.objectId) where.push(`t.object_id = ${add(filter.objectId)}`);
    addRange(where, add, 't.at', filter?.at, 'filter.at');
    return fetchPage<AuditEntry>(ctx, { entity: AuditEntry, where, params, sortName: 'id:DESC', sortColumn: 't.id', direction: 'DESC' }, page);
  }
}
