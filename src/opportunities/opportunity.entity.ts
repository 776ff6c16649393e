import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { OpportunityKind, OpportunityStage } from '../common/enums';
import { Node } from '../graphql/node';
import { MoneyScalar } from '../graphql/scalars';

@Entity('opportunities')
@ObjectType('Opportunity', { implements: Node, description: 'A deal with an account.' })
export class Opportunity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the opportunity was imported from; unique.' })
  externalId: string | null;

  @Column({ name: 'account_id', type: 'bigint' })
  accountId: string;

  @Column({ type: 'text' })
  @Field({ description: 'Deal name.' })
  name: string;

  @Column({ type: 'text' })
  @Field(() => OpportunityKind, { description: 'New business, expansion or renewal.' })
  kind: OpportunityKind;

  @Column({ type: 'text' })
  @Field(() => OpportunityStage, { description: 'Sales stage; CLOSED_WON and CLOSED_LOST are final.' })
  stage: OpportunityStage;

  @Column({ type: 'numeric', precision: 18, scale: 2 })
  @Field(() => MoneyScalar, { description: 'Deal value.' })
  amount: string;

  @Column({ name: 'owner_id', type: 'bigint', nullable: true })
  ownerId: string | null;

  @Column({ name: 'lost_reason', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the deal was lost (CLOSED_LOST only).' })
  lostReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the opportunity was created.' })
  createdAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was closed won or lost; null while open.' })
  closedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the opportunity was last changed.' })
  updatedAt: Date;

  @VersionColumn()
  @Field(() => Int, { description: 'Increases with every change; pass it back on update to detect concurrent edits.' })
  version: number;
}

@Entity('opportunity_contacts')
export class OpportunityContact {
  @PrimaryColumn({ name: 'opportunity_id', type: 'bigint' })
  opportunityId: string;

  @PrimaryColumn({ name: 'lead_id', type: 'bigint' })
  leadId: string;
}
