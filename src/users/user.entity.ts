import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Team } from '../common/enums';
import { Node } from '../graphql/node';

@Entity('users')
@ObjectType('User', { implements: Node, description: 'A person on a team.' })
export class User {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the user was imported from.' })
  externalId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'Full name.' })
  name: string;

  @Column({ type: 'text' })
  @Field({ description: 'Work email address.' })
  email: string;

  @Column({ type: 'text' })
  @Field(() => Team, { description: 'The team the user works in.' })
  team: Team;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the user was created.' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the user was last changed (kept by the database on every change; what `updatedAfter` filters on).' })
  updatedAt: Date;
}
