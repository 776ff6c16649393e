import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OpportunityKind, OpportunityStage, SortDirection } from '../common/enums';
import { TimeRange } from '../common/types';
import { connectionTypes } from '../graphql/connection';
import { MoneyScalar } from '../graphql/scalars';
import { Opportunity } from './opportunity.entity';

export const { ConnectionType: OpportunityConnection } = connectionTypes(Opportunity, 'Opportunity', 'opportunities');

export enum OpportunityOrderField {
  CREATED_AT = 'CREATED_AT',
  AMOUNT = 'AMOUNT',
  NAME = 'NAME',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(OpportunityOrderField, { name: 'OpportunityOrderField', description: 'What to order opportunities by.' });

@InputType({ description: 'Order of an opportunity list; ties break on id.' })
export class OpportunityOrder {
  @Field(() => OpportunityOrderField, { description: 'Field to order by.' })
  field: OpportunityOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

@InputType({ description: 'Which opportunities to list.' })
export class OpportunityFilter {
  @Field(() => [OpportunityStage], { nullable: true, description: 'Only these stages.' })
  stages?: OpportunityStage[] | null;

  @Field(() => [OpportunityKind], { nullable: true, description: 'Only these kinds.' })
  kinds?: OpportunityKind[] | null;

  @Field(() => ID, { nullable: true, description: 'Only deals with this account.' })
  accountId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only deals owned by this user.' })
  ownerId?: string | null;

  @Field(() => TimeRange, { nullable: true, description: 'Created in this range.' })
  createdAt?: TimeRange | null;

  @Field(() => TimeRange, { nullable: true, description: 'Closed in this range (open deals never match).' })
  closedAt?: TimeRange | null;

  @Field(() => Date, { nullable: true, description: 'Only opportunities changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

@InputType({ description: 'A new opportunity. Historical loads may create it closed, with closedAt.' })
export class CreateOpportunityInput {
  @Field(() => ID, { description: 'The account.' })
  accountId: string;

  @Field({ description: 'Deal name.' })
  @Length(1, 200)
  name: string;

  @Field(() => OpportunityKind, { description: 'New business, expansion or renewal.' })
  kind: OpportunityKind;

  @Field(() => MoneyScalar, { description: 'Deal value; >= 0.' })
  amount: string;

  @Field(() => OpportunityStage, { nullable: true, description: 'Stage (default PROSPECTING).' })
  stage?: OpportunityStage | null;

  @Field(() => ID, { nullable: true, description: 'Owning user (sales).' })
  ownerId?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Contact leads on the deal.' })
  @IsOptional()
  @ArrayMaxSize(100)
  contactIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Why it was lost; only with CLOSED_LOST.' })
  @IsOptional()
  @MaxLength(500)
  lostReason?: string | null;

  @Field(() => String, { nullable: true, description: 'Id in the source system; unique, for repeatable imports.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was created; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  createdAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it closed; required exactly when the stage is closed; not before createdAt; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  closedAt?: Date | null;
}

@InputType({ description: 'Changes to an opportunity; omitted fields stay. Stages change through moveOpportunityStage.' })
export class UpdateOpportunityInput {
  @Field(() => ID, { description: 'The opportunity to change.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the update fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => String, { nullable: true, description: 'Why (a correction; at most 500 characters); kept in the audit log entry of the update.' })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'Deal name.' })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => OpportunityKind, { nullable: true, description: 'Kind.' })
  kind?: OpportunityKind | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Deal value; >= 0.' })
  amount?: string | null;

  @Field(() => ID, { nullable: true, description: 'Owning user; null clears it.' })
  ownerId?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Replaces the contact leads.' })
  @IsOptional()
  @ArrayMaxSize(100)
  contactIds?: string[] | null;
}

@InputType({ description: 'Moves an open opportunity to another stage; closing it sets closedAt.' })
export class MoveOpportunityStageInput {
  @Field(() => ID, { description: 'The opportunity.' })
  opportunityId: string;

  @Field(() => OpportunityStage, { description: 'Target stage.' })
  stage: OpportunityStage;

  @Field(() => Date, { nullable: true, description: 'When it happened (closedAt when closing); defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  at?: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was lost; only with CLOSED_LOST.' })
  @IsOptional()
  @MaxLength(500)
  lostReason?: string | null;

  @Field(() => Int, { nullable: true, description: 'The version you read; fails with CONFLICT if it moved on.' })
  version?: number | null;
}

@ObjectType({ description: 'Result of createOpportunity.' })
export class CreateOpportunityPayload {
  @Field(() => Opportunity, { description: 'The new opportunity.' })
  opportunity: Opportunity;
}

@ObjectType({ description: 'Result of updateOpportunity.' })
export class UpdateOpportunityPayload {
  @Field(() => Opportunity, { description: 'The opportunity as changed.' })
  opportunity: Opportunity;
}

@ObjectType({ description: 'Result of moveOpportunityStage.' })
export class MoveOpportunityStagePayload {
  @Field(() => Opportunity, { description: 'The opportunity in its new stage.' })
  opportunity: Opportunity;
}
