import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { LeadStage } from '../common/enums';
import { Node } from '../graphql/node';

@Entity('leads')
@ObjectType('Lead', { implements: Node, description: 'A person, usually at an account, moving through the funnel.' })
export class Lead {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the lead was imported from; unique.' })
  externalId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'Email address; unique across leads, compared without case.' })
  email: string;

  @Column({ name: 'first_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'First name.' })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Last name.' })
  lastName: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Job title.' })
  title: string | null;

  @Column({ name: 'account_id', type: 'bigint', nullable: true })
  accountId: string | null;

  @Column({ type: 'text' })
  @Field(() => LeadStage, { description: 'Current lifecycle stage.' })
  stage: LeadStage;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the lead was created (entered the funnel).' })
  createdAt: Date;

  @Column({ name: 'mql_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'First time the lead became an MQL.' })
  mqlAt: Date | null;

  @Column({ name: 'sal_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'First time sales accepted the lead.' })
  salAt: Date | null;

  @Column({ name: 'sql_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'First time the lead became sales-qualified.' })
  sqlAt: Date | null;

  @Column({ name: 'opportunity_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'First time the lead reached OPPORTUNITY.' })
  opportunityAt: Date | null;

  @Column({ name: 'customer_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'First time the lead reached CUSTOMER.' })
  customerAt: Date | null;

  @Column({ name: 'recycled_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'First time the lead was recycled.' })
  recycledAt: Date | null;

  @Column({ name: 'disqualified_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'First time the lead was disqualified.' })
  disqualifiedAt: Date | null;

  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, {
    nullable: true,
    description: 'When the personal data of the lead was erased (eraseLead): its email then reads erased-<id>@erased.invalid, its names, title and externalId null; null while it is not.',
  })
  erasedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the lead was last changed.' })
  updatedAt: Date;

  @VersionColumn()
  @Field(() => Int, { description: 'Increases with every change; pass it back on update to detect concurrent edits.' })
  version: number;
}

/** Property of the first-reached time of each stage. */
export const STAGE_TIME_FIELD: Record<LeadStage, keyof Lead | null> = {
  [LeadStage.NEW]: null,
  [LeadStage.MQL]: 'mqlAt',
  [LeadStage.SAL]: 'salAt',
  [LeadStage.SQL]: 'sqlAt',
  [LeadStage.OPPORTUNITY]: 'opportunityAt',
  [LeadStage.CUSTOMER]: 'customerAt',
  [LeadStage.RECYCLED]: 'recycledAt',
  [LeadStage.DISQUALIFIED]: 'disqualifiedAt',
};
