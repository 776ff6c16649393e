import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('event_sources')
@ObjectType('EventSource', {
  description: 'A sender of web events (a Segment source: "website", "app"), with a write key that can send events to /v1/* and nothing else.',
})
export class EventSource {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  @Field({ description: 'What sends with it, e.g. "website".' })
  name: string;

  @Column({ type: 'text' })
  @Field({ description: 'First characters of the write key, to recognise it.' })
  prefix: string;

  @Column({ name: 'key_hash', type: 'bytea', select: false })
  keyHash: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When it was created.' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Who created it ("key:<id>", "jwt:<subject>" or "cli").' })
  createdBy: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When its write key last sent events (to the minute).' })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was revoked; a revoked write key is refused (401).' })
  revokedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the source was last changed (a new lastUsedAt included).' })
  updatedAt: Date;
}
