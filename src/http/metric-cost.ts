import type { ComplexityEstimator } from 'graphql-query-complexity';

/**
 * What a metric field costs, in the units of the query cost limit (a list row costs 1).
 * A metric reads every touch, lead or opportunity of its window, so its price grows with
 * the window's length, the rows it answers (buckets × the rows of its `by`) and the models it
 * runs (DATA_DRIVEN solves a Markov chain: five times a rule-based model). The README's
 * "Limits" section states the same formulas.
 */

const DAY_MS = 86_400_000;
/** A window that cannot be read (validation refuses it later) is priced as ten years. */
const MAX_DAYS = 3653;
/** Rows of `by: CAMPAIGN` when no campaigns are named: the price cannot depend on the data. */
export const ASSUMED_CAMPAIGNS = 50;
/** Rows of `by: CHANNEL` when no channels are named: every channel. */
export const CHANNELS = 11;
export const DATA_DRIVEN_FACTOR = 5;
/** The nine models of attributionComparison: eight rule-based ones and DATA_DRIVEN. */
export const COMPARISON_FACTOR = 8 + DATA_DRIVEN_FACTOR;
/**
 * A backtest scores every lead of its cohort at every evaluation time of the window (each touch
 * at or after the lead's creation) and reads the lead's outcomes, feedback and deals: three
 * times a plain read of the window.
 */
export const BACKTEST_FACTOR = 3;
/** A deal's attribution reads one journey: a share of one batched statement per deal of the page, per 90 days of lookback. */
export const DEAL_ATTRIBUTION_COST = 2;
/** Days per bucket of each grain (a month or quarter is priced at its average length). */
const GRAIN_DAYS: Record<string, number> = { DAY: 1, WEEK: 7, MONTH: 30.44, QUARTER: 91.31 };

interface WindowArg {
  from?: unknown;
  to?: unknown;
}

interface MetricInput {
  window?: WindowArg;
  model?: unknown;
  grain?: unknown;
  by?: unknown;
  dimension?: unknown;
  groupBy?: unknown;
  campaignIds?: unknown;
  channels?: unknown;
}

/** Whole days of a window, at least 1, at most ten years. */
export function windowDays(window: WindowArg | undefined): number {
  const from = window?.from instanceof Date ? window.from.getTime() : NaN;
  const to = window?.to instanceof Date ? window.to.getTime() : NaN;
  const days = (to - from) / DAY_MS;
  if (!Number.isFinite(days)) return MAX_DAYS;
  return Math.min(MAX_DAYS, Math.max(1, Math.ceil(days)));
}

/** Reading the facts of a window: 10, plus 1 a day. */
export function scanCost(window: WindowArg | undefined): number {
  return 10 + windowDays(window);
}

const modelFactor = (input: MetricInput) => (input.model === 'DATA_DRIVEN' ? DATA_DRIVEN_FACTOR : 1);
const listLength = (value: unknown) => (Array.isArray(value) && value.length > 0 ? value.length : null);

/** Rows of one bucket: 1, a row per channel, or a row per campaign. */
function rowsOf(dimension: unknown, input: MetricInput): number {
  if (dimension === 'CAMPAIGN') return listLength(input.campaignIds) ?? ASSUMED_CAMPAIGNS;
  if (dimension === 'CHANNEL') return listLength(input.channels) ?? CHANNELS;
  return 1;
}

/** One backtest (from, to as arguments of the field): 3 × the window, plus its months. */
function backtestCost(args: Record<string, unknown>): number {
  const window = { from: args.from, to: args.to };
  return BACKTEST_FACTOR * scanCost(window) + Math.ceil(windowDays(window) / GRAIN_DAYS.MONTH!);
}

/** Price of each metric field by `Type.field`, from its arguments. */
const PRICES: Record<string, (args: Record<string, unknown>) => number> = {
  'Query.revenueTimeSeries': ({ input }) => {
    const i = (input ?? {}) as MetricInput;
    const buckets = Math.ceil(windowDays(i.window) / (GRAIN_DAYS[String(i.grain)] ?? 1));
    return modelFactor(i) * (scanCost(i.window) + buckets * rowsOf(i.by, i));
  },
  'Query.campaignPerformance': ({ input }) => {
    const i = (input ?? {}) as MetricInput;
    return modelFactor(i) * (scanCost(i.window) + rowsOf('CAMPAIGN', i));
  },
  'Query.channelPerformance': ({ input }) => {
    const i = (input ?? {}) as MetricInput;
    return modelFactor(i) * (scanCost(i.window) + rowsOf('CHANNEL', i));
  },
  'Query.attributionComparison': ({ input }) => {
    const i = (input ?? {}) as MetricInput;
    return COMPARISON_FACTOR * (scanCost(i.window) + rowsOf(i.dimension ?? 'CAMPAIGN', i));
  },
  'Query.funnel': ({ input }) => {
    const i = (input ?? {}) as MetricInput;
    return scanCost(i.window) + (i.groupBy === 'CHANNEL' ? CHANNELS : 0);
  },
  'Query.slaCompliance': ({ input }) => {
    const i = (input ?? {}) as MetricInput;
    return scanCost(i.window) + Math.ceil(windowDays(i.window) / GRAIN_DAYS.MONTH!);
  },
  'Query.leadFeedbackSummary': ({ input }) => scanCost(((input ?? {}) as MetricInput).window),
  'Query.acquisitionCost': ({ input }) => scanCost(((input ?? {}) as MetricInput).window),
  'Query.qualificationBacktest': backtestCost,
  'Query.qualificationBacktestCompare': (args) => 2 * backtestCost(args),
  // an agreement's, per agreement of the page; beside the one in force: two backtests
  'AlignmentAgreement.backtest': backtestCost,
  'AlignmentAgreement.backtestAgainstInForce': (args) => 2 * backtestCost(args),
  // a year of every account's opportunities
  'Query.walletShare': () => 10 + 365,
  // batched over the page of accounts or campaigns: a share of one query per row
  'Account.walletShare': () => 5,
  // one deal's journey (its account's touches over the lookback), batched over the page of deals
  'Opportunity.attribution': ({ lookbackDays }) => DEAL_ATTRIBUTION_COST * Math.max(1, Math.ceil(Number(lookbackDays ?? 90) / 90)),
  // the deals behind a campaign's row: a share of finding the window's deals, and each deal's journey
  'CampaignPerformanceRow.deals': ({ first }) => 5 + DEAL_ATTRIBUTION_COST * Number(first ?? 20),
  'Campaign.performance': ({ input }) => {
    const i = (input ?? {}) as MetricInput;
    return modelFactor(i) * (1 + Math.ceil(windowDays(i.window) / 30));
  },
};

/** The metric fields, by `Type.field`. */
export const METRIC_FIELDS: ReadonlySet<string> = new Set(Object.keys(PRICES));

/** Prices metric fields (plus what their selection costs); leaves every other field to the next estimator. */
export const metricEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const price = PRICES[`${type.name}.${field.name}`];
  if (!price) return undefined;
  return price(args) + childComplexity;
};
