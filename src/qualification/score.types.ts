import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar } from '../graphql/scalars';

/**
 * A lead's score under a policy at a time, and its explanation (docs/metrics.md, "Lead
 * qualification"). Every figure comes from the SQL functions qualification_scores and
 * qualification_lines (migration 1732770000000): nothing is recomputed here.
 */

export enum ScoreLineKind {
  FIT = 'FIT',
  FIT_CAP = 'FIT_CAP',
  ENGAGEMENT = 'ENGAGEMENT',
  ENGAGEMENT_CAP = 'ENGAGEMENT_CAP',
}
registerEnumType(ScoreLineKind, {
  name: 'ScoreLineKind',
  description:
    'What a line of a score explanation is: FIT (a fit rule that holds), FIT_CAP (what the fit cap takes off), ENGAGEMENT (one touch matching one engagement rule), ENGAGEMENT_CAP (what the engagement cap takes off).',
});

@ObjectType({ description: 'One line of the explanation of a score: the lines of a score add up exactly to its total.' })
export class ScoreLine {
  @Field(() => ScoreLineKind, { description: 'What the line is.' })
  kind: ScoreLineKind;

  @Field(() => Int, { nullable: true, description: 'The position of the fit rule (FIT) or engagement rule (ENGAGEMENT) in the policy, from 1; null for the cap lines.' })
  rulePosition: number | null;

  /** The touch of an ENGAGEMENT line (resolved through the touchpoint loader). */
  touchpointId: string | null;

  @Field(() => Date, { nullable: true, description: 'When the touch of an ENGAGEMENT line occurred; null for the others.' })
  touchAt: Date | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Age of the touch of an ENGAGEMENT line at the score’s asOf, in fractional days; null for the others.' })
  ageDays: string | null;

  @Field(() => DecimalScalar, {
    description:
      'Points of the line: a fit rule’s points; a touch’s points times 0.5 ^ (ageDays / half-life), rounded half away from zero to 12 decimals; a cap line’s cap minus the uncapped sum (negative).',
  })
  points: string;
}

@ObjectType({ description: 'A lead’s score under the qualification policy of an agreement, at a time, with its explanation.' })
export class LeadScore {
  /** The lead scored, the policy and the agreement it belongs to (resolved by id). */
  leadId: string;
  policyId: string;
  agreementId: string;

  @Field(() => Date, { description: 'The time the score is computed at: touches up to it count, decayed to it; fit reads the attributes as stored now.' })
  asOf: Date;

  @Field(() => DecimalScalar, { description: 'Fit: the points of the fit rules that hold, capped by fitCap.' })
  fit: string;

  @Field(() => DecimalScalar, { description: 'Engagement: the (decayed) points of every touch matching an engagement rule, capped by engagementCap.' })
  engagement: string;

  @Field(() => DecimalScalar, { description: 'fit + engagement, exactly: the sum of the explanation’s lines.' })
  total: string;

  @Field({ description: 'Whether the lead qualifies at asOf: fit >= minFit, engagement >= minEngagement (each where set) and total >= mqlThreshold.' })
  qualifies: boolean;
}
