import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { AlignmentAgreement } from '../alignment/agreement.entity';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { BacktestWindowArgs, checkBacktestPolicy, checkBacktestWindow } from './backtest.args';
import { inForceBacktest, qualificationBacktest } from './backtest.service';
import { QualificationBacktest, QualificationBacktestComparison, QualificationBacktestPolicyInput } from './backtest.types';

const SECTION = 'docs/metrics.md, section "Backtest of a policy"';

@Resolver(() => QualificationBacktest)
export class QualificationBacktestResolver {
  @Query(() => QualificationBacktest, {
    description: `What a qualification policy (a stored agreement's, or a draft that is not stored) would have done over [from, to): the leads it would have made MQLs and when, how they turned out by asOf beside the MQLs actually recorded, precision and recall against SQL and CUSTOMER, months against the monthly target, and score bands (${SECTION}).`,
  })
  async qualificationBacktest(
    @Arg('policy', () => QualificationBacktestPolicyInput, { description: 'The policy: agreementId, or draft with mqlThreshold and monthlyMqlTarget.' })
    policy: QualificationBacktestPolicyInput,
    @Args() window: BacktestWindowArgs,
    @Ctx() ctx: Context,
  ): Promise<QualificationBacktest> {
    const w = checkBacktestWindow(window);
    return qualificationBacktest(ctx, 'policy', checkBacktestPolicy('policy', policy, ctx.actor?.role), w);
  }

  @Query(() => QualificationBacktestComparison, {
    description: `Two policies backtested over the same window and asOf, side by side: e.g. a draft beside the agreement in force (${SECTION}).`,
  })
  async qualificationBacktestCompare(
    @Arg('a', () => QualificationBacktestPolicyInput, { description: 'The first policy.' }) a: QualificationBacktestPolicyInput,
    @Arg('b', () => QualificationBacktestPolicyInput, { description: 'The second policy.' }) b: QualificationBacktestPolicyInput,
    @Args() window: BacktestWindowArgs,
    @Ctx() ctx: Context,
  ): Promise<QualificationBacktestComparison> {
    const w = checkBacktestWindow(window);
    const policyA = checkBacktestPolicy('a', a, ctx.actor?.role);
    const policyB = checkBacktestPolicy('b', b, ctx.actor?.role);
    const [resultA, resultB] = await Promise.all([qualificationBacktest(ctx, 'a', policyA, w), qualificationBacktest(ctx, 'b', policyB, w)]);
    return { a: resultA, b: resultB };
  }

  @FieldResolver(() => AlignmentAgreement, { nullable: true, description: 'The agreement whose policy was tested; null for a draft.' })
  agreement(@Root() backtest: QualificationBacktest, @Ctx() ctx: Context): Promise<AlignmentAgreement | null> | null {
    return backtest.agreementId ? byIdLoader<AlignmentAgreement>(ctx, AlignmentAgreement).load(backtest.agreementId) : null;
  }
}

/** Proposing shows the numbers: an agreement's backtest, alone or beside the one in force. */
@Resolver(() => AlignmentAgreement)
export class AgreementBacktestResolver {
  @FieldResolver(() => QualificationBacktest, { description: `This agreement's policy backtested over [from, to) (${SECTION}).` })
  async backtest(@Root() agreement: AlignmentAgreement, @Args() window: BacktestWindowArgs, @Ctx() ctx: Context): Promise<QualificationBacktest> {
    const w = checkBacktestWindow(window);
    return qualificationBacktest(ctx, 'id', { kind: 'AGREEMENT', agreementId: String(agreement.id) }, w);
  }

  @FieldResolver(() => QualificationBacktestComparison, {
    description: `This agreement's backtest (a) beside that of the agreement in force at asOf (b; null when none is), over the same window: what approving it would change (${SECTION}).`,
  })
  async backtestAgainstInForce(
    @Root() agreement: AlignmentAgreement,
    @Args() window: BacktestWindowArgs,
    @Ctx() ctx: Context,
  ): Promise<QualificationBacktestComparison> {
    const w = checkBacktestWindow(window);
    const [a, b] = await Promise.all([
      qualificationBacktest(ctx, 'id', { kind: 'AGREEMENT', agreementId: String(agreement.id) }, w),
      inForceBacktest(ctx, w),
    ]);
    return { a, b };
  }
}
