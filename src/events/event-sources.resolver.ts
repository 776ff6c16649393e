import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { EventSource } from './event-source.entity';
import { createEventSource, listEventSources, revokeEventSource } from './event-sources';
import {
  CreateEventSourceInput,
  CreateEventSourcePayload,
  EventSourceConnection,
  RevokeEventSourceInput,
  RevokeEventSourcePayload,
} from './event-sources.types';

/** Event sources and their write keys (ADMIN only, like API keys: see auth/policy.ts). */
@Resolver(() => EventSource)
export class EventSourceResolver {
  @FieldResolver(() => ID, { description: 'Id of the source (used to revoke it).' })
  id(@Root() source: EventSource): string {
    return source.id;
  }

  @Query(() => EventSourceConnection, { description: 'Event sources, newest first (ADMIN only). Write keys are never shown.' })
  eventSources(@Ctx() ctx: Context, @Args() page: PageArgs) {
    return listEventSources(ctx, page);
  }

  @Mutation(() => CreateEventSourcePayload, { description: 'Creates an event source (ADMIN only); its write key is returned once.' })
  createEventSource(@Ctx() ctx: Context, @Arg('input', () => CreateEventSourceInput) input: CreateEventSourceInput): Promise<CreateEventSourcePayload> {
    return createEventSource(ctx, input);
  }

  @Mutation(() => RevokeEventSourcePayload, { description: 'Revokes an event source (ADMIN only); its write key is refused from then on.' })
  async revokeEventSource(@Ctx() ctx: Context, @Arg('input', () => RevokeEventSourceInput) input: RevokeEventSourceInput): Promise<RevokeEventSourcePayload> {
    return { eventSource: await revokeEventSource(ctx, input.id) };
  }
}
