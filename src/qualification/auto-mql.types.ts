import { Field, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../graphql/scalars';
import { ScoreLine } from './score.types';

/**
 * What made a lead an MQL automatically (docs/metrics.md, "Automatic MQL"): the agreement whose
 * policy qualified it and the score it had then, as kept on its stage-history entry (computed by
 * qualification_lines when the lead qualified; fit read the attributes as stored at that write).
 */
@ObjectType({
  description: 'The qualification that made a lead an MQL automatically: the agreement version whose policy qualified it and its score then, with the explanation.',
})
export class AutomaticQualification {
  /** The agreement (resolved by id); null when the agreement was deleted. */
  agreementId: string | null;

  @Field(() => Int, { description: 'The version of the agreement whose qualification policy qualified the lead.' })
  agreementVersion: number;

  @Field(() => Date, {
    description:
      'When the lead qualified: the evaluation time (its creation or a touch time), or the moment of the write that changed its attributes or put the policy in force. The stage change is at the later of this and the time the lead entered its previous stage.',
  })
  qualifyingAt: Date;

  @Field(() => DecimalScalar, { description: 'Fit at qualifyingAt: the points of the fit rules that held, capped.' })
  fit: string;

  @Field(() => DecimalScalar, { description: 'Engagement at qualifyingAt: the (decayed) points of the touches that counted, capped.' })
  engagement: string;

  @Field(() => DecimalScalar, { description: 'fit + engagement: the sum of the explanation’s lines.' })
  total: string;

  @Field(() => [ScoreLine], { description: 'The lines of the score at qualifyingAt, in the order of LeadScore.explanation; they add up exactly to total.' })
  explanation: ScoreLine[];
}
