import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { Channel, OwnerTeam } from '../common/enums';
import { Node } from '../graphql/node';
import { LocalDateScalar, MoneyScalar } from '../graphql/scalars';

@Entity('campaigns')
@ObjectType('Campaign', { implements: Node, description: 'A marketing or sales program that touches leads and spends money.' })
export class Campaign {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the campaign was imported from; unique.' })
  externalId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'Campaign name.' })
  name: string;

  @Column({ type: 'text' })
  @Field(() => Channel, { description: 'Channel the campaign runs in.' })
  channel: Channel;

  @Column({ name: 'owner_team', type: 'text' })
  @Field(() => OwnerTeam, { description: 'Team that runs the campaign; SALES campaigns count as sales follow-up.' })
  ownerTeam: OwnerTeam;

  @Column({ name: 'starts_on', type: 'date' })
  @Field(() => LocalDateScalar, { description: 'First day of the campaign (UTC).' })
  startsOn: string;

  @Column({ name: 'ends_on', type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day of the campaign (UTC); null while open-ended.' })
  endsOn: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 2, nullable: true })
  @Field(() => MoneyScalar, { nullable: true, description: 'Planned budget.' })
  budget: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the campaign was created.' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the campaign was last changed.' })
  updatedAt: Date;

  @VersionColumn()
  @Field(() => Int, { description: 'Increases with every change; pass it back on update to detect concurrent edits.' })
  version: number;
}
