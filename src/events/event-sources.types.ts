import { Length } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { connectionTypes } from '../graphql/connection';
import { EventSource } from './event-source.entity';

export const { ConnectionType: EventSourceConnection } = connectionTypes(EventSource, 'EventSource', 'event sources');

@InputType({ description: 'A new event source.' })
export class CreateEventSourceInput {
  @Field({ description: 'What sends with it, e.g. "website" (1 to 200 characters).' })
  @Length(1, 200)
  name: string;
}

@InputType({ description: 'Revokes an event source: its write key is refused from then on.' })
export class RevokeEventSourceInput {
  @Field(() => ID, { description: 'Id of the source (EventSource.id).' })
  id: string;
}

@ObjectType({ description: 'Result of createEventSource: the write key is shown this once.' })
export class CreateEventSourcePayload {
  @Field(() => EventSource, { description: 'The source.' })
  eventSource: EventSource;

  @Field({
    description:
      'The write key, for Segment libraries and HTTP Basic authentication (the key as user name, empty password) on /v1/*. It is not stored and cannot be shown again.',
  })
  writeKey: string;
}

@ObjectType({ description: 'Result of revokeEventSource.' })
export class RevokeEventSourcePayload {
  @Field(() => EventSource, { description: 'The revoked source.' })
  eventSource: EventSource;
}
