import { ArgsType, Field, Int } from 'type-graphql';
import { Role } from '../auth/roles';
import { BadInputError, ForbiddenError } from '../graphql/errors';
import { decodeId } from '../graphql/node';
import { MAX_WINDOW_DAYS } from '../metrics/metric-args';
import type { QualificationBacktestPolicyInput } from './backtest.types';
import { validatePolicy } from './policy-store';
import type { QualificationPolicyInput } from './policy.types';

const DAY_MS = 86_400_000;
const MAX_BAND_WIDTH = 1_000_000;

@ArgsType()
export class BacktestWindowArgs {
  @Field({ description: 'Start of the window (included): the cohort, predicted and actual MQLs are of [from, to).' })
  from: Date;

  @Field({ description: 'End of the window (excluded).' })
  to: Date;

  @Field(() => Date, { nullable: true, description: 'Outcomes are counted up to this instant (included); default now; must be at or after `to`.' })
  asOf?: Date | null;

  @Field(() => Int, { defaultValue: 10, description: 'Points per score band (1 to 1,000,000).' })
  bandWidth: number;
}

/** A checked window of a backtest. */
export interface BacktestWindow {
  from: Date;
  to: Date;
  asOf: Date;
  bandWidth: number;
}

/** The policy a backtest runs, checked: an agreement (database id) or a draft. */
export type BacktestPolicy =
  | { kind: 'AGREEMENT'; agreementId: string }
  | { kind: 'DRAFT'; draft: QualificationPolicyInput; mqlThreshold: number; monthlyMqlTarget: number };

function checkDate(field: string, value: Date): number {
  const t = value.getTime();
  if (Number.isNaN(t)) throw new BadInputError(field, 'is not a valid date-time');
  return t;
}

/** Checks from < to (at most 10 years), asOf (default now) >= to and the band width; fails naming the argument. */
export function checkBacktestWindow(args: BacktestWindowArgs, now = new Date()): BacktestWindow {
  const from = checkDate('from', args.from);
  const to = checkDate('to', args.to);
  if (from >= to) throw new BadInputError('to', 'must be after from');
  if ((to - from) / DAY_MS > MAX_WINDOW_DAYS) throw new BadInputError('to', 'windows can span at most 10 years');
  const asOf = args.asOf ?? now;
  if (checkDate('asOf', asOf) < to) {
    throw new BadInputError('asOf', `must be at or after to (${args.to.toISOString()}): outcomes are counted after the window${args.asOf ? '' : '; asOf defaults to now'}`);
  }
  const bandWidth = args.bandWidth ?? 10;
  if (!Number.isInteger(bandWidth) || bandWidth < 1 || bandWidth > MAX_BAND_WIDTH) {
    throw new BadInputError('bandWidth', `must be a whole number from 1 to ${MAX_BAND_WIDTH}`);
  }
  return { from: args.from, to: args.to, asOf, bandWidth };
}

function checkWhole(field: string, value: number | null | undefined, max: number): number {
  if (value == null) throw new BadInputError(field, 'is required with draft');
  if (!Number.isInteger(value) || value < 0 || value > max) throw new BadInputError(field, `must be a whole number from 0 to ${max}`);
  return value;
}

/**
 * Checks the policy argument `field` ("policy", "a", "b"): exactly one of agreementId and
 * draft; a draft is validated like a proposal and needs its threshold and target. An ANALYST
 * may not test a draft whose fit rules read a lead's attributes: choosing the rule would find
 * out what a person's masked fields hold (job title, custom attributes), one count at a time.
 */
export function checkBacktestPolicy(field: string, input: QualificationBacktestPolicyInput, role: Role | undefined): BacktestPolicy {
  const hasAgreement = input.agreementId != null;
  const hasDraft = input.draft != null;
  if (hasAgreement === hasDraft) throw new BadInputError(field, 'give exactly one of agreementId and draft');
  if (hasAgreement) {
    if (input.mqlThreshold != null) throw new BadInputError(`${field}.mqlThreshold`, "only with draft: an agreement's policy has its own");
    if (input.monthlyMqlTarget != null) throw new BadInputError(`${field}.monthlyMqlTarget`, 'only with draft: an agreement has its own');
    return { kind: 'AGREEMENT', agreementId: decodeId(`${field}.agreementId`, 'AlignmentAgreement', input.agreementId as string) };
  }
  const draft = input.draft as QualificationPolicyInput;
  validatePolicy(`${field}.draft`, draft);
  const mqlThreshold = checkWhole(`${field}.mqlThreshold`, input.mqlThreshold, 1_000_000);
  const monthlyMqlTarget = checkWhole(`${field}.monthlyMqlTarget`, input.monthlyMqlTarget, 100_000_000);
  if (role === Role.ANALYST) {
    draft.fitRules.forEach((rule, i) => {
      if (rule.attribute.startsWith('lead.')) {
        throw new ForbiddenError(
          'ANALYST callers may not backtest a draft fit rule on a lead attribute (personal data); backtest a stored agreement, or rules on account attributes and touches',
          `${field}.draft.fitRules[${i}].attribute`,
        );
      }
    });
  }
  return { kind: 'DRAFT', draft, mqlThreshold, monthlyMqlTarget };
}
