import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { Channel, SortDirection } from '../common/enums';
import { LocalDateScalar } from '../graphql/scalars';

export enum TouchpointOrderField {
  OCCURRED_AT = 'OCCURRED_AT',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(TouchpointOrderField, { name: 'TouchpointOrderField', description: 'What to order touchpoints by.' });

@InputType({ description: 'Order of a touchpoint list; ties break on id.' })
export class TouchpointOrder {
  @Field(() => TouchpointOrderField, { description: 'Field to order by.' })
  field: TouchpointOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

@InputType('DayRange', { description: 'A half-open range of calendar days (UTC): from <= day < to; either end may be left open.' })
export class DayRange {
  @Field(() => LocalDateScalar, { nullable: true, description: 'First day included.' })
  from?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'First day excluded.' })
  to?: string | null;
}

@InputType({ description: 'Which spend entries to list.' })
export class CampaignSpendFilter {
  @Field(() => DayRange, { nullable: true, description: 'Spent on a day in this range.' })
  spentOn?: DayRange | null;

  @Field(() => ID, { nullable: true, description: 'Only entries of this campaign.' })
  campaignId?: string | null;

  @Field(() => [Channel], { nullable: true, description: "Only entries of campaigns in these channels (the spend's kind)." })
  channels?: Channel[] | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only entries changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.',
  })
  updatedAfter?: Date | null;
}

export enum CampaignSpendOrderField {
  SPENT_ON = 'SPENT_ON',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(CampaignSpendOrderField, { name: 'CampaignSpendOrderField', description: 'What to order spend entries by.' });

@InputType({ description: 'Order of a spend list; ties break on id.' })
export class CampaignSpendOrder {
  @Field(() => CampaignSpendOrderField, { description: 'Field to order by.' })
  field: CampaignSpendOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}
