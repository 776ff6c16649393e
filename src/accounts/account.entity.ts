import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { Segment } from '../common/enums';
import { Node } from '../graphql/node';
import { MoneyScalar } from '../graphql/scalars';

@Entity('accounts')
@ObjectType('Account', { implements: Node, description: 'A company we sell to.' })
export class Account {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the account was imported from; unique.' })
  externalId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'Company name.' })
  name: string;

  @Column({ type: 'text' })
  @Field({ description: 'Web domain, lower case; unique across accounts.' })
  domain: string;

  @Column({ type: 'text' })
  @Field(() => Segment, { description: 'Market segment.' })
  segment: Segment;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Industry.' })
  industry: string | null;

  @Column({ name: 'wallet_size', type: 'numeric', precision: 18, scale: 2, nullable: true })
  @Field(() => MoneyScalar, {
    nullable: true,
    description: "Estimated annual spend of the account in our category: what share of wallet divides by.",
  })
  walletSize: string | null;

  @Column({ name: 'owner_id', type: 'bigint', nullable: true })
  ownerId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the account was created.' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the account was last changed.' })
  updatedAt: Date;

  @VersionColumn()
  @Field(() => Int, { description: 'Increases with every change; pass it back on update to detect concurrent edits.' })
  version: number;
}
