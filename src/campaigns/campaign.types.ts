import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel, OwnerTeam, SortDirection, TouchpointKind } from '../common/enums';
import { TimeRange } from '../common/types';
import { connectionTypes } from '../graphql/connection';
import { LocalDateScalar, MoneyScalar } from '../graphql/scalars';
import { CampaignSpend } from './campaign-spend.entity';
import { Campaign } from './campaign.entity';
import { Touchpoint } from './touchpoint.entity';

export const { ConnectionType: CampaignConnection } = connectionTypes(Campaign, 'Campaign', 'campaigns');
export const { ConnectionType: CampaignSpendConnection } = connectionTypes(CampaignSpend, 'CampaignSpend', 'spend entries');
export const { ConnectionType: TouchpointConnection } = connectionTypes(Touchpoint, 'Touchpoint', 'touchpoints');

export enum CampaignOrderField {
  NAME = 'NAME',
  STARTS_ON = 'STARTS_ON',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(CampaignOrderField, { name: 'CampaignOrderField', description: 'What to order campaigns by.' });

@InputType({ description: 'Order of a campaign list; ties break on id.' })
export class CampaignOrder {
  @Field(() => CampaignOrderField, { description: 'Field to order by.' })
  field: CampaignOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

@InputType({ description: 'Which campaigns to list.' })
export class CampaignFilter {
  @Field(() => [Channel], { nullable: true, description: 'Only campaigns in these channels.' })
  channels?: Channel[] | null;

  @Field(() => OwnerTeam, { nullable: true, description: 'Only campaigns run by this team.' })
  ownerTeam?: OwnerTeam | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Only campaigns running on this day (startsOn <= day <= endsOn).' })
  activeOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Name contains this text (case-insensitive).' })
  @IsOptional()
  @MaxLength(200)
  search?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only campaigns changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

@InputType({ description: 'A new campaign.' })
export class CreateCampaignInput {
  @Field({ description: 'Campaign name.' })
  @Length(1, 200)
  name: string;

  @Field(() => Channel, { description: 'Channel.' })
  channel: Channel;

  @Field(() => OwnerTeam, { description: 'Team that runs it.' })
  ownerTeam: OwnerTeam;

  @Field(() => LocalDateScalar, { description: 'First day (UTC).' })
  startsOn: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day (UTC); not before startsOn.' })
  endsOn?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Planned budget; >= 0.' })
  budget?: string | null;

  @Field(() => String, { nullable: true, description: 'Id in the source system; unique, for repeatable imports.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the campaign was created; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  createdAt?: Date | null;
}

@InputType({ description: 'Changes to a campaign; omitted fields stay as they are.' })
export class UpdateCampaignInput {
  @Field(() => ID, { description: 'The campaign to change.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the update fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => String, { nullable: true, description: 'Why (a correction; at most 500 characters); kept in the audit log entry of the update.' })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'Campaign name.' })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => Channel, { nullable: true, description: 'Channel.' })
  channel?: Channel | null;

  @Field(() => OwnerTeam, { nullable: true, description: 'Team that runs it.' })
  ownerTeam?: OwnerTeam | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'First day (UTC).' })
  startsOn?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day (UTC); null makes it open-ended.' })
  endsOn?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Planned budget; null clears it.' })
  budget?: string | null;
}

@InputType({ description: 'Money spent on a campaign on one day.' })
export class RecordSpendInput {
  @Field(() => ID, { description: 'The campaign.' })
  campaignId: string;

  @Field(() => LocalDateScalar, { description: 'Day the money was spent (UTC); any past day, for every role that records spend (bills arrive late).' })
  spentOn: string;

  @Field(() => MoneyScalar, { description: 'Amount; >= 0.' })
  amount: string;

  @Field(() => String, { nullable: true, description: 'Id in the source system; unique, for repeatable imports.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;
}

@InputType({ description: 'One interaction of a lead with a campaign.' })
export class RecordTouchpointInput {
  @Field(() => ID, { description: 'The lead.' })
  leadId: string;

  @Field(() => ID, { description: 'The campaign.' })
  campaignId: string;

  @Field(() => TouchpointKind, { description: 'Kind of interaction.' })
  kind: TouchpointKind;

  @Field(() => Date, { nullable: true, description: 'When it happened; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  occurredAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Id in the source system; unique, for repeatable imports.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;
}

@InputType({ description: 'Which touchpoints to list.' })
export class TouchpointFilter {
  @Field(() => TimeRange, { nullable: true, description: 'Occurred in this range.' })
  occurredAt?: TimeRange | null;

  @Field(() => [TouchpointKind], { nullable: true, description: 'Only these kinds.' })
  kinds?: TouchpointKind[] | null;

  @Field(() => ID, { nullable: true, description: 'Only touchpoints of this campaign.' })
  campaignId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only touchpoints of this lead.' })
  leadId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only touchpoints of leads at this account.' })
  accountId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only touchpoints changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

@ObjectType({ description: 'Result of createCampaign.' })
export class CreateCampaignPayload {
  @Field(() => Campaign, { description: 'The new campaign.' })
  campaign: Campaign;
}

@ObjectType({ description: 'Result of updateCampaign.' })
export class UpdateCampaignPayload {
  @Field(() => Campaign, { description: 'The campaign as changed.' })
  campaign: Campaign;
}

@ObjectType({ description: 'Result of recordSpend.' })
export class RecordSpendPayload {
  @Field(() => CampaignSpend, { description: 'The recorded entry.' })
  spend: CampaignSpend;
}

@ObjectType({ description: 'Result of recordTouchpoint.' })
export class RecordTouchpointPayload {
  @Field(() => Touchpoint, { description: 'The recorded touchpoint.' })
  touchpoint: Touchpoint;
}
