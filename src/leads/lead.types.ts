import { IsEmail, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel, LeadStage, SortDirection } from '../common/enums';
import { TimeRange } from '../common/types';
import { connectionTypes } from '../graphql/connection';
import { DecimalScalar } from '../graphql/scalars';
import { LeadStageChange } from './lead-stage-change.entity';
import { Lead } from './lead.entity';

export const { ConnectionType: LeadConnection } = connectionTypes(Lead, 'Lead', 'leads');
export const { ConnectionType: LeadStageChangeConnection } = connectionTypes(LeadStageChange, 'LeadStageChange', 'stage changes');

export enum LeadOrderField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  EMAIL = 'EMAIL',
  SCORE = 'SCORE',
}
registerEnumType(LeadOrderField, {
  name: 'LeadOrderField',
  description: 'What to order leads by.',
  valuesConfig: {
    SCORE: {
      description:
        'The score (fit + engagement) under the policy in force now, exact: the list reads each lead\'s stored score state, bounds its score now, and computes exactly the leads those bounds leave in doubt (docs/metrics.md, "Lists by score"). Every lead ties at 0 when no policy is in force. Scores decay with time, so a later page is ordered by the scores at its own request.',
    },
  },
});

@InputType({ description: 'Order of a lead list; ties break on id.' })
export class LeadOrder {
  @Field(() => LeadOrderField, { description: 'Field to order by.' })
  field: LeadOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

@InputType({ description: 'Which stage changes of a lead to list.' })
export class LeadStageChangeFilter {
  @Field(() => Date, {
    nullable: true,
    description: 'Only entries changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.',
  })
  updatedAfter?: Date | null;
}

@InputType({ description: 'Which leads to list.' })
export class LeadFilter {
  @Field(() => [LeadStage], { nullable: true, description: 'Only leads currently in these stages.' })
  stages?: LeadStage[] | null;

  @Field(() => ID, { nullable: true, description: 'Only leads at this account.' })
  accountId?: string | null;

  @Field(() => TimeRange, { nullable: true, description: 'Created in this range.' })
  createdAt?: TimeRange | null;

  @Field(() => [Channel], { nullable: true, description: 'Only leads whose first touch ever was in one of these channels.' })
  sourceChannels?: Channel[] | null;

  @Field(() => String, { nullable: true, description: 'Email or name contains this text (case-insensitive).' })
  @IsOptional()
  @MaxLength(200)
  search?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only leads changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Only leads whose exact score (fit + engagement) under the policy in force now is at least this; no lead when no policy is in force.',
  })
  minScore?: string | null;
}

@InputType({ description: 'A new lead.' })
export class CreateLeadInput {
  @Field({ description: 'Email address; stored in lower case and Unicode NFC; control and invisible characters (zero-width, bidi) are refused; unique.' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @Field(() => String, { nullable: true, description: 'First name.' })
  @IsOptional()
  @MaxLength(200)
  firstName?: string | null;

  @Field(() => String, { nullable: true, description: 'Last name.' })
  @IsOptional()
  @MaxLength(200)
  lastName?: string | null;

  @Field(() => String, { nullable: true, description: 'Job title.' })
  @IsOptional()
  @MaxLength(200)
  title?: string | null;

  @Field(() => ID, { nullable: true, description: 'Account the lead works at.' })
  accountId?: string | null;

  @Field(() => LeadStage, {
    nullable: true,
    description: 'Stage to start in (default NEW); a later funnel stage fills the earlier ones with createdAt.',
  })
  stage?: LeadStage | null;

  @Field(() => String, { nullable: true, description: 'Id in the source system; unique, for repeatable imports.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the lead was created; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  createdAt?: Date | null;
}

@InputType({ description: 'Changes to a lead; omitted fields stay as they are. Stages change through changeLeadStage.' })
export class UpdateLeadInput {
  @Field(() => ID, { description: 'The lead to change.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the update fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => String, { nullable: true, description: 'Email address; stored in lower case and Unicode NFC; control and invisible characters (zero-width, bidi) are refused; unique.' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'First name; null clears it.' })
  @IsOptional()
  @MaxLength(200)
  firstName?: string | null;

  @Field(() => String, { nullable: true, description: 'Last name; null clears it.' })
  @IsOptional()
  @MaxLength(200)
  lastName?: string | null;

  @Field(() => String, { nullable: true, description: 'Job title; null clears it.' })
  @IsOptional()
  @MaxLength(200)
  title?: string | null;

  @Field(() => ID, { nullable: true, description: 'Account; null detaches the lead.' })
  accountId?: string | null;
}

@InputType({ description: 'Moves a lead to another stage.' })
export class ChangeLeadStageInput {
  @Field(() => ID, { description: 'The lead.' })
  leadId: string;

  @Field(() => LeadStage, {
    description: 'Target stage: a later funnel stage (skipped ones are filled with the same time), RECYCLED or DISQUALIFIED.',
  })
  stage: LeadStage;

  @Field(() => Date, { nullable: true, description: 'When it happened; defaults to now. Not before the last change; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  at?: Date | null;

  @Field(() => ID, { nullable: true, description: 'User who made the change.' })
  changedById?: string | null;

  @Field(() => Int, { nullable: true, description: 'The version you read; fails with CONFLICT if it moved on.' })
  version?: number | null;
}

@ObjectType({ description: 'Result of createLead.' })
export class CreateLeadPayload {
  @Field(() => Lead, { description: 'The new lead.' })
  lead: Lead;
}

@ObjectType({ description: 'Result of updateLead.' })
export class UpdateLeadPayload {
  @Field(() => Lead, { description: 'The lead as changed.' })
  lead: Lead;
}

@ObjectType({ description: 'Result of changeLeadStage.' })
export class ChangeLeadStagePayload {
  @Field(() => Lead, { description: 'The lead in its new stage.' })
  lead: Lead;

  @Field(() => LeadStageChange, { description: 'The change recorded in the history.' })
  change: LeadStageChange;
}
