import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('audit_log')
@ObjectType('AuditEntry', { description: 'One write: who, through which mutation, to which object, before and after.' })
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  @Field({ description: 'Sequence number of the entry.' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  @Field({ description: 'When the write was committed (its transaction time).' })
  at: Date;

  @Column({ type: 'text' })
  @Field({ description: 'Who wrote: "key:<id>", "jwt:<subject>" or "system".' })
  actor: string;

  @Column({ name: 'actor_role', type: 'text' })
  @Field({ description: "The writer's role." })
  actorRole: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Request id (x-request-id) of the write.' })
  requestId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'The mutation, e.g. "updateAccount".' })
  mutation: string;

  @Column({ name: 'object_type', type: 'text' })
  @Field({ description: 'Table of the object written, e.g. "accounts".' })
  objectType: string;

  @Column({ name: 'object_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Database id of the object written.' })
  objectId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'INSERT, UPDATE or DELETE.' })
  action: string;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the write was made, when its mutation takes a reason (corrections, deletes, eraseLead).' })
  reason: string | null;

  @Column({ type: 'jsonb', nullable: true })
  @Field(() => GraphQLJSON, { nullable: true, description: 'The row before the write (null for inserts).' })
  before: unknown;

  @Column({ type: 'jsonb', nullable: true })
  @Field(() => GraphQLJSON, { nullable: true, description: 'The row after the write (null for deletes).' })
  after: unknown;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({
    description:
      'When the entry last changed: the log is append-only, so this is when it was written (its creation time), unless an erasure later scrubbed personal data from its row copies; what `updatedAfter` filters on.',
  })
  updatedAt: Date;
}
