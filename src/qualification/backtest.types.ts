import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MoneyScalar } from '../graphql/scalars';
import { QualificationPolicyInput } from './policy.types';

@InputType('QualificationBacktestPolicyInput', {
  description:
    'The policy a backtest runs: either `agreementId` (a stored agreement’s policy, proposed or approved) or a `draft` with its `mqlThreshold` and `monthlyMqlTarget` (validated, never stored).',
})
export class QualificationBacktestPolicyInput {
  @Field(() => ID, { nullable: true, description: 'An agreement: its qualification policy, threshold and monthly MQL target.' })
  agreementId?: string | null;

  @Field(() => QualificationPolicyInput, { nullable: true, description: 'A draft policy: validated like a proposal, used for this backtest only and not stored.' })
  draft?: QualificationPolicyInput | null;

  @Field(() => Int, { nullable: true, description: 'With `draft` (required): the score at which a lead qualifies (0 to 1,000,000).' })
  mqlThreshold?: number | null;

  @Field(() => Int, { nullable: true, description: 'With `draft` (required): the MQLs a month the months are measured against (0 to 100,000,000).' })
  monthlyMqlTarget?: number | null;
}

@ObjectType('QualificationBacktestSet', {
  description:
    'One set of the cohort and how its leads turned out, each counting only what happened from the lead’s reference time to asOf (docs/metrics.md, section "Backtest of a policy").',
})
export class QualificationBacktestSet {
  @Field(() => Int, { description: 'Leads in the set.' })
  leads: number;

  @Field(() => Int, { description: 'Of them, leads whose salAt lies in [reference time, asOf].' })
  reachedSal: number;

  @Field(() => Int, { description: 'Of them, leads whose sqlAt lies in [reference time, asOf].' })
  reachedSql: number;

  @Field(() => Int, { description: 'Of them, leads whose opportunityAt lies in [reference time, asOf].' })
  reachedOpportunity: number;

  @Field(() => Int, { description: 'Of them, leads whose customerAt lies in [reference time, asOf].' })
  reachedCustomer: number;

  @Field(() => Int, { description: 'Leads whose latest feedback at or before asOf (equal times: the higher id) is ACCEPTED and given at or after the reference time.' })
  accepted: number;

  @Field(() => Int, { description: 'Leads whose latest feedback at or before asOf (equal times: the higher id) is REJECTED and given at or after the reference time.' })
  rejected: number;

  @Field(() => Int, { description: 'CLOSED_WON opportunities closed in [reference time, asOf] of at least one of their contacts in the set (each once).' })
  wonOpportunities: number;

  @Field(() => MoneyScalar, { description: 'Their amounts, each opportunity once in the set (two sets sharing a deal both count it).' })
  wonRevenue: string;
}

@ObjectType('QualificationBacktestMonth', { description: 'One calendar month (UTC) of the backtest window, clipped to it.' })
export class QualificationBacktestMonth {
  @Field({ description: 'First instant of the calendar month (UTC).' })
  monthStart: Date;

  @Field({ description: 'Start of the part of the month inside the window.' })
  periodFrom: Date;

  @Field({ description: 'End (excluded) of the part of the month inside the window.' })
  periodTo: Date;

  @Field({ description: 'The whole calendar month lies inside the window; when false the target is still the full monthly one.' })
  fullMonth: boolean;

  @Field(() => Int, { description: 'Cohort leads the policy would have made MQLs, by predictedMqlAt in [periodFrom, periodTo).' })
  predictedMqls: number;

  @Field(() => Int, { description: 'Cohort leads that became MQLs as recorded (the actual set), by mqlAt in [periodFrom, periodTo).' })
  actualMqls: number;

  @Field(() => Int, { description: 'The policy’s full monthly MQL target (the agreement’s, or the draft’s).' })
  monthlyMqlTarget: number;

  @Field(() => Float, { nullable: true, description: 'predictedMqls / monthlyMqlTarget; null when the target is 0.' })
  attainment: number | null;
}

@ObjectType('QualificationScoreBand', {
  description: 'Cohort leads whose score at `to` (counting touches strictly before `to`) lies in [scoreFrom, scoreTo), and how many reached SQL and CUSTOMER by asOf.',
})
export class QualificationScoreBand {
  @Field(() => Float, { description: 'Lowest score of the band (included): k × bandWidth, k = floor(score / bandWidth); a whole number, negative allowed.' })
  scoreFrom: number;

  @Field(() => Float, { description: 'Score where the band ends (excluded): scoreFrom + bandWidth.' })
  scoreTo: number;

  @Field(() => Int, { description: 'Cohort leads in the band.' })
  leads: number;

  @Field(() => Int, { description: 'Of them, leads with sqlAt at or before asOf.' })
  reachedSql: number;

  @Field(() => Int, { description: 'Of them, leads with customerAt at or before asOf.' })
  reachedCustomer: number;

  @Field(() => Float, { description: 'reachedSql / leads.' })
  sqlShare: number;

  @Field(() => Float, { description: 'reachedCustomer / leads.' })
  customerShare: number;
}

@ObjectType('QualificationBacktest', {
  description:
    'What a qualification policy would have done over a window, beside what happened: predicted and actual MQLs, how they turned out by asOf, precision and recall, months against the target, score bands (docs/metrics.md, section "Backtest of a policy"). Aggregates only.',
})
export class QualificationBacktest {
  /** The agreement's database id, when the policy is a stored agreement's (resolved to the object). */
  agreementId: string | null;

  @Field({ description: 'Start of the window (included).' })
  from: Date;

  @Field({ description: 'End of the window (excluded).' })
  to: Date;

  @Field({ description: 'The "now" the outcomes are counted to (>= to).' })
  asOf: Date;

  @Field(() => Int, { description: 'Points per score band.' })
  bandWidth: number;

  @Field({ description: 'The policy is a draft (not stored); false for an agreement’s.' })
  draft: boolean;

  @Field(() => Int, { description: 'The threshold of the policy tested.' })
  mqlThreshold: number;

  @Field(() => Int, { description: 'The monthly MQL target the months are measured against.' })
  monthlyMqlTarget: number;

  @Field(() => Int, { description: 'Leads created in the window or with a touch in it, that had not reached SAL before from.' })
  cohort: number;

  @Field(() => Int, { description: 'Cohort leads whose sqlAt lies in [from, asOf]: the denominator of recallSql.' })
  cohortReachedSql: number;

  @Field(() => Int, { description: 'Cohort leads whose customerAt lies in [from, asOf]: the denominator of recallCustomer.' })
  cohortReachedCustomer: number;

  @Field(() => QualificationBacktestSet, { description: 'Cohort leads that qualify under the policy at an evaluation time in the window (predictedMqlAt).' })
  predicted: QualificationBacktestSet;

  @Field(() => QualificationBacktestSet, { description: 'Cohort leads with mqlAt in the window: the definition actually used.' })
  actual: QualificationBacktestSet;

  @Field(() => QualificationBacktestSet, { description: 'Leads both predicted and actual (reference time: the earlier of the two).' })
  both: QualificationBacktestSet;

  @Field(() => QualificationBacktestSet, { description: 'Leads predicted but not actual (reference time: predictedMqlAt).' })
  predictedOnly: QualificationBacktestSet;

  @Field(() => QualificationBacktestSet, { description: 'Leads actual but not predicted (reference time: mqlAt).' })
  actualOnly: QualificationBacktestSet;

  @Field(() => Float, { nullable: true, description: 'predicted.reachedSql / predicted.leads; null when no lead is predicted.' })
  precisionSql: number | null;

  @Field(() => Float, { nullable: true, description: 'predicted.reachedSql / cohortReachedSql; null when that is 0.' })
  recallSql: number | null;

  @Field(() => Float, { nullable: true, description: 'predicted.reachedCustomer / predicted.leads; null when no lead is predicted.' })
  precisionCustomer: number | null;

  @Field(() => Float, { nullable: true, description: 'predicted.reachedCustomer / cohortReachedCustomer; null when that is 0.' })
  recallCustomer: number | null;

  @Field(() => [QualificationBacktestMonth], { description: 'Every calendar month (UTC) meeting the window, in order, clipped to it.' })
  months: QualificationBacktestMonth[];

  @Field(() => [QualificationScoreBand], { description: 'The non-empty score bands of the cohort, lowest first.' })
  scoreBands: QualificationScoreBand[];
}

@ObjectType('QualificationBacktestComparison', { description: 'Two policies backtested over the same window and asOf, side by side.' })
export class QualificationBacktestComparison {
  @Field(() => QualificationBacktest, { description: 'The first policy’s backtest.' })
  a: QualificationBacktest;

  @Field(() => QualificationBacktest, {
    nullable: true,
    description: 'The second policy’s backtest; null only in backtestAgainstInForce when no agreement is in force at asOf.',
  })
  b: QualificationBacktest | null;
}
