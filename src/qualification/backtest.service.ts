import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { NotFoundError } from '../graphql/errors';
import type { BacktestPolicy, BacktestWindow } from './backtest.args';
import { AGREEMENT_IN_FORCE_SQL, BACKTEST_AGREEMENT_SQL, BACKTEST_SQL } from './backtest.sql';
import type { QualificationBacktest, QualificationBacktestSet } from './backtest.types';
import { insertPolicy, SqlRunner } from './policy-store';

type BacktestContext = Pick<Context, 'ds' | 'readDs' | 'tx' | 'metricWork'>;

interface AgreementRow {
  id: string;
  policyId: string;
  mqlThreshold: number;
  monthlyMqlTarget: number;
}

interface SetJson {
  name: 'predicted' | 'actual' | 'both' | 'predictedOnly' | 'actualOnly';
  leads: number;
  sal: number;
  sql: number;
  opportunity: number;
  customer: number;
  accepted: number;
  rejected: number;
  wonOpportunities: number;
  wonRevenue: string;
}

interface BacktestRow {
  cohort: number;
  cohortSql: number;
  cohortCustomer: number;
  sets: SetJson[];
  months: { monthStart: string; periodFrom: string; periodTo: string; fullMonth: boolean; predicted: number; actual: number }[];
  bands: { scoreFrom: string; scoreTo: string; leads: number; sql: number; customer: number }[];
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

const paramsOf = (policyId: string, w: BacktestWindow) => [policyId, w.from, w.to, w.asOf, w.bandWidth];

/** The figures of one statement's row (the ratios are divisions of its counts). */
function toBacktest(row: BacktestRow, w: BacktestWindow, policy: { agreementId: string | null; mqlThreshold: number; monthlyMqlTarget: number }): QualificationBacktest {
  const set = (name: SetJson['name']): QualificationBacktestSet => {
    const s = row.sets.find((x) => x.name === name);
    if (!s) throw new Error(`backtest returned no ${name} set`);
    return {
      leads: s.leads,
      reachedSal: s.sal,
      reachedSql: s.sql,
      reachedOpportunity: s.opportunity,
      reachedCustomer: s.customer,
      accepted: s.accepted,
      rejected: s.rejected,
      wonOpportunities: s.wonOpportunities,
      wonRevenue: s.wonRevenue,
    };
  };
  const predicted = set('predicted');
  const target = policy.monthlyMqlTarget;
  return {
    agreementId: policy.agreementId,
    draft: policy.agreementId === null,
    mqlThreshold: policy.mqlThreshold,
    monthlyMqlTarget: target,
    ...w,
    cohort: row.cohort,
    cohortReachedSql: row.cohortSql,
    cohortReachedCustomer: row.cohortCustomer,
    predicted,
    actual: set('actual'),
    both: set('both'),
    predictedOnly: set('predictedOnly'),
    actualOnly: set('actualOnly'),
    precisionSql: ratio(predicted.reachedSql, predicted.leads),
    recallSql: ratio(predicted.reachedSql, row.cohortSql),
    precisionCustomer: ratio(predicted.reachedCustomer, predicted.leads),
    recallCustomer: ratio(predicted.reachedCustomer, row.cohortCustomer),
    months: row.months.map((m) => ({
      monthStart: new Date(m.monthStart),
      periodFrom: new Date(m.periodFrom),
      periodTo: new Date(m.periodTo),
      fullMonth: m.fullMonth,
      predictedMqls: m.predicted,
      actualMqls: m.actual,
      monthlyMqlTarget: target,
      attainment: ratio(m.predicted, target),
    })),
    scoreBands: row.bands.map((b) => ({
      scoreFrom: Number(b.scoreFrom),
      scoreTo: Number(b.scoreTo),
      leads: b.leads,
      reachedSql: b.sql,
      reachedCustomer: b.customer,
      sqlShare: b.sql / b.leads,
      customerShare: b.customer / b.leads,
    })),
  };
}

function onlyRow(rows: BacktestRow[]): BacktestRow {
  const row = rows[0];
  if (!row) throw new Error('backtest returned no row');
  return row;
}

async function backtestAgreement(ctx: BacktestContext, agreement: AgreementRow, w: BacktestWindow): Promise<QualificationBacktest> {
  const rows = await metricQuery<BacktestRow[]>(ctx, BACKTEST_SQL, paramsOf(agreement.policyId, w));
  return toBacktest(onlyRow(rows), w, { agreementId: agreement.id, mqlThreshold: agreement.mqlThreshold, monthlyMqlTarget: agreement.monthlyMqlTarget });
}

/**
 * A draft is stored as a policy inside a transaction of its own, backtested there, and the
 * transaction rolled back: nothing of it stays. It runs on the primary (a replica takes no
 * writes), holding one metric connection of the request's share for the whole transaction.
 * Inside a caller's open transaction it runs under a savepoint, rolled back the same way.
 */
async function backtestDraft(ctx: BacktestContext, policy: Extract<BacktestPolicy, { kind: 'DRAFT' }>, w: BacktestWindow): Promise<QualificationBacktest> {
  const inside = async (runner: SqlRunner): Promise<BacktestRow[]> => {
    const policyId = await insertPolicy(runner, policy.mqlThreshold, policy.draft);
    return (await runner.query(BACKTEST_SQL, paramsOf(policyId, w))) as BacktestRow[];
  };
  let rows: BacktestRow[];
  if (ctx.tx) {
    const tx = ctx.tx;
    await tx.query('SAVEPOINT qualification_backtest_draft');
    try {
      rows = await inside(tx);
    } finally {
      await tx.query('ROLLBACK TO SAVEPOINT qualification_backtest_draft');
    }
  } else {
    const run = async () => {
      const runner = ctx.ds.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction('READ COMMITTED');
        try {
          return await inside(runner);
        } finally {
          await runner.rollbackTransaction();
        }
      } finally {
        await runner.release();
      }
    };
    rows = ctx.metricWork ? await ctx.metricWork.run(run) : await run();
  }
  return toBacktest(onlyRow(rows), w, { agreementId: null, mqlThreshold: policy.mqlThreshold, monthlyMqlTarget: policy.monthlyMqlTarget });
}

/** The agreement of `agreementId` (database id) with its policy, or NOT_FOUND naming `field`. */
async function findAgreement(ctx: BacktestContext, field: string, agreementId: string): Promise<AgreementRow> {
  const [row] = await metricQuery<AgreementRow[]>(ctx, BACKTEST_AGREEMENT_SQL, [agreementId]);
  if (!row) throw new NotFoundError(field, 'AlignmentAgreement', agreementId);
  return row;
}

/** Backtests one checked policy over a checked window (docs/metrics.md, "Backtest of a policy"). */
export async function qualificationBacktest(ctx: BacktestContext, field: string, policy: BacktestPolicy, w: BacktestWindow): Promise<QualificationBacktest> {
  if (policy.kind === 'DRAFT') return backtestDraft(ctx, policy, w);
  return backtestAgreement(ctx, await findAgreement(ctx, `${field}.agreementId`, policy.agreementId), w);
}

/** The backtest of the agreement whose policy is in force at asOf; null when none is. */
export async function inForceBacktest(ctx: BacktestContext, w: BacktestWindow): Promise<QualificationBacktest | null> {
  const [agreement] = await metricQuery<AgreementRow[]>(ctx, AGREEMENT_IN_FORCE_SQL, [w.asOf]);
  return agreement ? backtestAgreement(ctx, agreement, w) : null;
}
