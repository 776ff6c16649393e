import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { AlignmentAgreement } from '../alignment/agreement.entity';
import { Touchpoint } from '../campaigns/touchpoint.entity';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { BadInputError, NotFoundError } from '../graphql/errors';
import { decodeId } from '../graphql/node';
import { Lead } from '../leads/lead.entity';
import { QualificationPolicy } from './policy.types';
import { linesLoader, policyInForceLoader, policyLoader, requestNow, scoresLoader } from './score.loaders';
import { LeadScore, ScoreLine } from './score.types';

/** Lead.score, LeadScore's and ScoreLine's links, AlignmentAgreement.policy: all batched per request. */

@Resolver(() => Lead)
export class LeadScoreResolver {
  @FieldResolver(() => LeadScore, {
    nullable: true,
    description:
      'The lead’s score at asOf (default now) under the qualification policy of the agreement given, else of the agreement in force at asOf; null when no agreement is in force. Batched: a page of leads costs a fixed few statements.',
  })
  async score(
    @Ctx() ctx: Context,
    @Root() lead: Lead,
    @Arg('asOf', () => Date, { nullable: true, description: 'The time to score at; default now.' }) asOf?: Date | null,
    @Arg('agreementId', () => ID, { nullable: true, description: 'Score under this agreement’s policy (approved or not); default the one in force at asOf.' })
    agreementId?: string | null,
  ): Promise<LeadScore | null> {
    if (asOf && Number.isNaN(asOf.getTime())) throw new BadInputError('asOf', 'is not a valid date-time');
    const at = asOf ?? requestNow(ctx);
    let agreement: { agreementId: string; policyId: string } | null;
    if (agreementId != null) {
      const id = decodeId('agreementId', 'AlignmentAgreement', agreementId);
      const found = await byIdLoader<AlignmentAgreement>(ctx, AlignmentAgreement).load(id);
      if (!found?.policyId) throw new NotFoundError('agreementId', 'AlignmentAgreement', id);
      agreement = { agreementId: found.id, policyId: String(found.policyId) };
    } else {
      agreement = await policyInForceLoader(ctx).load(at.toISOString());
    }
    if (!agreement) return null;
    const score = await scoresLoader(ctx, agreement.policyId, at).load(lead.id);
    return score ? { ...score, agreementId: agreement.agreementId } : null;
  }
}

@Resolver(() => LeadScore)
export class LeadScoreFieldsResolver {
  @FieldResolver(() => AlignmentAgreement, { description: 'The agreement whose policy the score follows.' })
  agreement(@Ctx() ctx: Context, @Root() score: LeadScore) {
    return byIdLoader<AlignmentAgreement>(ctx, AlignmentAgreement).load(score.agreementId);
  }

  @FieldResolver(() => [ScoreLine], {
    description:
      'Why the score is what it is, in order: every fit rule that holds (by rule position), FIT_CAP when the fit cap binds, every (touch, engagement rule) pair that counts (by touch time, touch id, rule position; pairs worth 0 included), ENGAGEMENT_CAP when the engagement cap binds. The lines add up exactly to total.',
  })
  explanation(@Ctx() ctx: Context, @Root() score: LeadScore) {
    return linesLoader(ctx, score.policyId, score.asOf).load(score.leadId);
  }
}

@Resolver(() => ScoreLine)
export class ScoreLineResolver {
  @FieldResolver(() => Touchpoint, { nullable: true, description: 'The touch of an ENGAGEMENT line; null for the others.' })
  touchpoint(@Ctx() ctx: Context, @Root() line: ScoreLine) {
    return line.touchpointId ? byIdLoader<Touchpoint>(ctx, Touchpoint).load(line.touchpointId) : null;
  }
}

@Resolver(() => AlignmentAgreement)
export class AgreementPolicyResolver {
  @FieldResolver(() => QualificationPolicy, {
    description: 'The structured qualification policy of this agreement: what scores and MQLs follow once it is in force (an empty policy when it was proposed without one).',
  })
  async policy(@Ctx() ctx: Context, @Root() agreement: AlignmentAgreement): Promise<QualificationPolicy> {
    const policy = agreement.policyId ? await policyLoader(ctx).load(String(agreement.policyId)) : null;
    if (!policy) throw new Error(`agreement ${agreement.id} has no qualification policy`);
    return policy;
  }
}
