import { IsOptional, Length } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { TouchpointKind } from '../common/enums';
import { LocalDateScalar, MoneyScalar } from '../graphql/scalars';
import { CampaignSpend } from './campaign-spend.entity';
import { Touchpoint } from './touchpoint.entity';

const REASON = 'Why (at most 500 characters); kept in the audit log entry of every row the correction writes.';

@InputType({ description: 'A correction of a touchpoint; omitted fields stay as they are.' })
export class UpdateTouchpointInput {
  @Field(() => ID, { description: 'The touchpoint to correct.' })
  id: string;

  @Field(() => ID, { nullable: true, description: 'The lead who interacted.' })
  leadId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The campaign touched.' })
  campaignId?: string | null;

  @Field(() => TouchpointKind, { nullable: true, description: 'Kind of interaction.' })
  kind?: TouchpointKind | null;

  @Field(() => Date, { nullable: true, description: 'When it happened; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS.' })
  occurredAt?: Date | null;

  @Field(() => String, { nullable: true, description: REASON })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;
}

@InputType({ description: 'A touchpoint to delete.' })
export class DeleteTouchpointInput {
  @Field(() => ID, { description: 'The touchpoint to delete.' })
  id: string;

  @Field(() => String, { nullable: true, description: REASON })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;
}

@InputType({ description: 'A correction of a spend entry; omitted fields stay as they are.' })
export class UpdateSpendInput {
  @Field(() => ID, { description: 'The spend entry to correct.' })
  id: string;

  @Field(() => ID, { nullable: true, description: 'The campaign the money was spent on.' })
  campaignId?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Day the money was spent (UTC).' })
  spentOn?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Amount; >= 0.' })
  amount?: string | null;

  @Field(() => String, { nullable: true, description: REASON })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;
}

@InputType({ description: 'A spend entry to delete.' })
export class DeleteSpendInput {
  @Field(() => ID, { description: 'The spend entry to delete.' })
  id: string;

  @Field(() => String, { nullable: true, description: REASON })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;
}

@InputType({ description: 'A campaign to delete.' })
export class DeleteCampaignInput {
  @Field(() => ID, { description: 'The campaign to delete.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the delete fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Also delete its touchpoints and spend entries, in the same transaction (ADMIN and REVENUE_OPS). Without it, a campaign that has any is refused with CONFLICT naming them.',
  })
  cascade?: boolean | null;

  @Field(() => String, { nullable: true, description: REASON })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;
}

@ObjectType({ description: 'Result of updateTouchpoint.' })
export class UpdateTouchpointPayload {
  @Field(() => Touchpoint, { description: 'The touchpoint as corrected.' })
  touchpoint: Touchpoint;
}

@ObjectType({ description: 'Result of updateSpend.' })
export class UpdateSpendPayload {
  @Field(() => CampaignSpend, { description: 'The spend entry as corrected.' })
  spend: CampaignSpend;
}
