import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { AlignmentAgreement } from '../alignment/agreement.entity';
import { ApproveAgreementPayload } from '../alignment/alignment.types';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { LeadStageChange } from '../leads/lead-stage-change.entity';
import { qualificationOf, qualifiedLeadsLoader } from './auto-mql.service';
import { AutomaticQualification } from './auto-mql.types';

/** Automatic MQL in the schema: on stage history, agreements and the approval's payload. */

@Resolver(() => LeadStageChange)
export class StageChangeQualificationResolver {
  @FieldResolver(() => AutomaticQualification, {
    nullable: true,
    description:
      'Set when the change is an automatic MQL (docs/metrics.md, "Automatic MQL"): the agreement version whose policy qualified the lead and the score that did, with its explanation; null for every other change.',
  })
  qualifiedBy(@Root() change: LeadStageChange): AutomaticQualification | null {
    return qualificationOf(change);
  }
}

@Resolver(() => AutomaticQualification)
export class AutomaticQualificationResolver {
  @FieldResolver(() => AlignmentAgreement, { nullable: true, description: 'The agreement whose policy qualified the lead.' })
  agreement(@Ctx() ctx: Context, @Root() q: AutomaticQualification) {
    return q.agreementId ? byIdLoader<AlignmentAgreement>(ctx, AlignmentAgreement).load(q.agreementId) : null;
  }
}

@Resolver(() => AlignmentAgreement)
export class AgreementQualifiedLeadsResolver {
  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'How many leads in NEW or RECYCLED its policy made MQLs at the moment it came into force (the later of effectiveFrom and the second approval), as of that moment; null until then, and for an agreement superseded at that very moment.',
  })
  qualifiedLeads(@Ctx() ctx: Context, @Root() agreement: AlignmentAgreement) {
    return qualifiedLeadsLoader(ctx).load(String(agreement.id));
  }
}

@Resolver(() => ApproveAgreementPayload)
export class ApprovalQualifiedLeadsResolver {
  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'How many leads became MQLs because this approval put the agreement’s policy in force (effectiveFrom already reached); null when it did not yet: the first approval, an effectiveFrom still ahead, or more than 5,000 leads in NEW or RECYCLED to judge (the API then applies the policy within POLICY_CHECK_MS, and AlignmentAgreement.qualifiedLeads says the count).',
  })
  qualifiedLeads(@Ctx() ctx: Context, @Root() payload: ApproveAgreementPayload): Promise<number | null> {
    return qualifiedLeadsLoader(ctx).load(String(payload.agreement.id));
  }
}
