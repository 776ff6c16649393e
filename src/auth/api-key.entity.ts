import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Role } from './roles';

@Entity('api_keys')
@ObjectType('ApiKey', { description: 'An API key (its secret is shown once, at creation, and stored only hashed).' })
export class ApiKey {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  @Field({ description: 'What the key is for, e.g. "Looker sync".' })
  name: string;

  @Column({ type: 'text' })
  @Field(() => Role, { description: 'What the key may do.' })
  role: Role;

  @Column({ name: 'user_id', type: 'bigint', nullable: true })
  userId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'First characters of the key, to recognise it.' })
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
  @Field(() => Date, { nullable: true, description: 'When it was last used (to the minute).' })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was revoked; a revoked key is refused.' })
  revokedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({
    description:
      'When the key was last changed (kept by the database on every change, a new lastUsedAt included; what `updatedAfter` filters on).',
  })
  updatedAt: Date;
}
