import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar, MoneyScalar } from '../graphql/scalars';
import { AttributionMeasure, AttributionModel, JourneyScope, RoleWeightsInput } from './attribution.inputs';
import { JourneyRole } from './deal-attribution.service';

registerEnumType(JourneyRole, {
  name: 'JourneyRole',
  description: 'A role a touch takes in its journey (docs/metrics.md, "Attribution", roles).',
  valuesConfig: {
    FIRST: { description: 'The first touch.' },
    LAST: { description: 'The last touch.' },
    LEAD_CONVERSION: { description: 'The last touch at or before the earliest mqlAt of the leads of the journey.' },
    OPPORTUNITY_CREATION: { description: 'The last touch at or before the opportunity was created.' },
    CLOSE: { description: 'Revenue only: the last touch at or before the close (the last touch).' },
  },
});

/** The arguments of Opportunity.attribution: those of the attribution reports, without a window. */
@ArgsType()
export class OpportunityAttributionArgs {
  @Field(() => AttributionModel, { description: 'Attribution model (rule-based: DATA_DRIVEN is refused, it is not defined per deal).' })
  model: AttributionModel;

  @Field(() => AttributionMeasure, {
    defaultValue: AttributionMeasure.REVENUE,
    description: "What is shared out: REVENUE (the journey ends at the close; won deals only, null otherwise) or PIPELINE (it ends at the deal's creation).",
  })
  measure: AttributionMeasure;

  @Field(() => JourneyScope, { defaultValue: JourneyScope.ACCOUNT, description: 'Whose touches make up the journey.' })
  journeyScope: JourneyScope;

  @Field(() => Int, { defaultValue: 90, description: 'The journey starts this many days before the opportunity was created.' })
  lookbackDays: number;

  @Field(() => Float, { defaultValue: 7, description: 'Half-life of the TIME_DECAY model, in days.' })
  halfLifeDays: number;

  @Field(() => RoleWeightsInput, { nullable: true, description: 'Role weights; required by the CUSTOM model.' })
  roleWeights?: RoleWeightsInput | null;
}

@ObjectType('AttributedTouch', { description: "One touch of a deal's journey, with the credit it earned." })
export class AttributedTouch {
  @Field(() => Int, { description: 'Place in the journey, from 1, in (occurredAt, id) order.' })
  position: number;

  @Field(() => Date, { description: 'When the touch occurred.' })
  occurredAt: Date;

  @Field(() => [JourneyRole], { description: 'The roles the touch takes in the journey, whatever the model.' })
  roles: JourneyRole[];

  @Field(() => [JourneyRole], { description: 'The roles of the touch that hold under the model (weight above 0); empty for LINEAR and TIME_DECAY.' })
  heldRoles: JourneyRole[];

  @Field(() => DecimalScalar, { description: "The touch's weight w_i (the journey's add up to 1), to 12 decimals." })
  weight: string;

  @Field(() => MoneyScalar, {
    description: "The touch's credit: the deal's amount times its weight, in cents; the credits of a deal add up to its amount exactly.",
  })
  credit: string;

  touchId: string;
  campaignId: string;
}

@ObjectType('CampaignCredit', { description: "A campaign's credit for one deal." })
export class CampaignCredit {
  @Field(() => MoneyScalar, {
    description:
      "The campaign's credit, in cents: the deal's amount shared among its campaigns by largest remainder (ties: the lowest campaign id), as campaignPerformance rounds a window holding only this deal.",
  })
  credit: string;

  @Field(() => DecimalScalar, {
    description: "The credit unrounded, at full precision (weights carry 40 decimals): the deal's amount times the weights of the campaign's touches. A report adds these up over its deals in decimal arithmetic and rounds the sum (at 12 decimals, then by largest remainder).",
  })
  exactCredit: string;

  campaignId: string;
}

@ObjectType('OpportunityAttribution', { description: "A deal's journey under one model, touch by touch, with each touch's credit." })
export class OpportunityAttribution {
  @Field(() => AttributionModel, { description: 'The model.' })
  model: AttributionModel;

  @Field(() => AttributionMeasure, { description: 'What is shared out.' })
  measure: AttributionMeasure;

  @Field(() => Date, { description: "End of the journey: the deal's creation (pipeline) or close (revenue)." })
  journeyEnd: Date;

  @Field(() => MoneyScalar, { description: "The amount shared out: the deal's amount." })
  amount: string;

  @Field(() => MoneyScalar, { description: 'The amount credited to no campaign: all of it when the journey is empty, else 0.00.' })
  unattributed: string;

  @Field(() => [AttributedTouch], { description: "The journey's touches in order (a journey is not paginated)." })
  touches: AttributedTouch[];

  @Field(() => [CampaignCredit], { description: "The credits by campaign (by campaign id): each is the sum of its touches' credits." })
  campaigns: CampaignCredit[];
}
