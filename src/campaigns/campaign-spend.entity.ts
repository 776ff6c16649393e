import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../graphql/node';
import { LocalDateScalar, MoneyScalar } from '../graphql/scalars';

@Entity('campaign_spend')
@ObjectType('CampaignSpend', { implements: Node, description: 'Money spent on a campaign on one day.' })
export class CampaignSpend {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the entry was imported from; unique.' })
  externalId: string | null;

  @Column({ name: 'campaign_id', type: 'bigint' })
  campaignId: string;

  @Column({ name: 'spent_on', type: 'date' })
  @Field(() => LocalDateScalar, { description: 'Day the money was spent (UTC).' })
  spentOn: string;

  @Column({ type: 'numeric', precision: 18, scale: 2 })
  @Field(() => MoneyScalar, { description: 'Amount spent.' })
  amount: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the entry was recorded.' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the entry was last changed (kept by the database on every change; what `updatedAfter` filters on).' })
  updatedAt: Date;
}
