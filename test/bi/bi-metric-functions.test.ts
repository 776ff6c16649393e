import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { decodeId } from '../../src/graphql/node';
import { LARGEST_REMAINDER } from '../../src/metrics/attribution.sql';
import { BI_METRIC_FILES, functionNames } from '../../migrations/1732810000000-bi-metric-functions';
import { createTestApp, TestApp } from '../helpers/app';
import { ROOT } from '../helpers/built-service';
import { cacheJourneys } from '../metrics/attribution-fixtures';
import { insertAgreement, insertUser } from '../metrics/fixtures';
import { generate, load } from '../metrics/random-attribution-data';
import { BiLogins, sqlState } from './bi-support';

/*
 * One definition, two doors (issue 13): every metric function of schema bi answers, field by
 * field, what the GraphQL API answers on the same data, when called by a BI login; the login
 * still reads no base table.
 */

const FIGURES = `spend touches leadsSourced mqls attributedPipeline attributedRevenue attributedWins roi roas costPerLead costPerMql`;
const REPORT = `from to model totalPipeline totalRevenue unattributedPipeline unattributedRevenue
  unattributedPipelineShare unattributedRevenueShare totals { ${FIGURES} }`;
const CAMPAIGN_QUERY = `query($input: CampaignPerformanceInput!) {
  campaignPerformance(input: $input) { ${REPORT} rows { campaign { id } ${FIGURES} } }
}`;
const CHANNEL_QUERY = `query($input: ChannelPerformanceInput!) {
  channelPerformance(input: $input) { ${REPORT} rows { channel ${FIGURES} } }
}`;

type Figures = Record<string, string | number | null>;
interface Report {
  totalPipeline: string | null;
  totalRevenue: string | null;
  unattributedPipeline: string | null;
  unattributedRevenue: string | null;
  unattributedPipelineShare: number | null;
  unattributedRevenueShare: number | null;
  totals: Figures;
  rows: (Figures & { campaign?: { id: string }; channel?: string })[];
}

/** The column of a bi function for each GraphQL figure. */
const COLUMNS: Record<string, string> = {
  spend: 'spend',
  touches: 'touches',
  leadsSourced: 'leads_sourced',
  mqls: 'mqls',
  attributedPipeline: 'attributed_pipeline',
  attributedRevenue: 'attributed_revenue',
  attributedWins: 'attributed_wins',
  roi: 'roi',
  roas: 'roas',
  costPerLead: 'cost_per_lead',
  costPerMql: 'cost_per_mql',
};

interface Case {
  model: string;
  from: string;
  to: string;
  journeyScope?: 'ACCOUNT' | 'CONTACTS';
  lookbackDays?: number;
  halfLifeDays?: number;
  measures?: ('PIPELINE' | 'REVENUE')[];
  opportunityKinds?: string[];
  roleWeights?: { first: number; leadConversion: number; opportunityCreation: number; close: number };
  channels?: string[];
}

const YEAR = { from: '2024-02-01T00:00:00Z', to: '2024-11-01T00:00:00Z' };
/** Partial days and months at both edges: the caches answer the middle, the touches the edges. */
const RAGGED = { from: '2024-02-03T05:00:00Z', to: '2024-09-17T13:30:00Z' };
const CUSTOM = { first: 0.1, leadConversion: 0.2, opportunityCreation: 0.3, close: 0.15 };
const MODELS = ['FIRST_TOUCH', 'LAST_TOUCH', 'LINEAR', 'TIME_DECAY', 'POSITION_BASED', 'W_SHAPED', 'FULL_PATH', 'CUSTOM'];

const CASES: Case[] = [
  ...MODELS.flatMap((model) => [
    { model, ...YEAR },
    { model, ...RAGGED, journeyScope: 'CONTACTS' as const },
  ]),
  { model: 'LINEAR', ...YEAR, lookbackDays: 60, halfLifeDays: 5 }, // settings the cache does not hold: journeys from the touches
  { model: 'TIME_DECAY', ...RAGGED, halfLifeDays: 3 },
  { model: 'W_SHAPED', ...YEAR, measures: ['REVENUE'] },
  { model: 'FULL_PATH', ...YEAR, measures: ['PIPELINE'], opportunityKinds: ['EXPANSION', 'RENEWAL'] },
  { model: 'LINEAR', ...YEAR, channels: ['EMAIL', 'WEBINAR'] },
  { model: 'LINEAR', from: '2031-01-01T00:00:00Z', to: '2031-02-01T00:00:00Z' }, // nothing in scope: a totals row of zeros
];

const label = (c: Case) => `${c.model} ${c.from.slice(0, 10)}..${c.to.slice(0, 10)} ${JSON.stringify({ ...c, model: undefined, from: undefined, to: undefined })}`;

function graphqlInput(c: Case): Record<string, unknown> {
  return {
    window: { from: c.from, to: c.to },
    model: c.model,
    ...(c.journeyScope ? { journeyScope: c.journeyScope } : {}),
    ...(c.lookbackDays ? { lookbackDays: c.lookbackDays } : {}),
    ...(c.halfLifeDays ? { halfLifeDays: c.halfLifeDays } : {}),
    ...(c.measures ? { measures: c.measures } : {}),
    ...(c.opportunityKinds ? { opportunityKinds: c.opportunityKinds } : {}),
    ...(c.model === 'CUSTOM' ? { roleWeights: CUSTOM } : {}),
    ...(c.channels ? { channels: c.channels } : {}),
  };
}

/** The SQL call of `fn` for a case, named arguments, as a BI user would write it. */
function sqlCall(fn: string, c: Case): { text: string; params: unknown[] } {
  const args: [string, unknown, string][] = [
    ['p_from', c.from, 'timestamptz'],
    ['p_to', c.to, 'timestamptz'],
    ['p_model', c.model, 'text'],
  ];
  if (c.journeyScope) args.push(['p_journey_scope', c.journeyScope, 'text']);
  if (c.lookbackDays) args.push(['p_lookback_days', c.lookbackDays, 'integer']);
  if (c.halfLifeDays) args.push(['p_half_life_days', c.halfLifeDays, 'float8']);
  if (c.measures) args.push(['p_measures', c.measures, 'text[]']);
  if (c.opportunityKinds) args.push(['p_opportunity_kinds', c.opportunityKinds, 'text[]']);
  if (c.model === 'CUSTOM') {
    args.push(['p_role_weights', [CUSTOM.first, CUSTOM.leadConversion, CUSTOM.opportunityCreation, CUSTOM.close].map(String), 'numeric[]']);
  }
  if (c.channels) args.push(['p_channels', c.channels, 'text[]']);
  const list = args.map(([name, , type], i) => `${name} => $${i + 1}::${type}`).join(', ');
  return { text: `SELECT * FROM bi.${fn}(${list})`, params: args.map(([, value]) => value) };
}

/** The figures of one function row under the GraphQL names. */
function figuresOf(row: Record<string, unknown>): Figures {
  return Object.fromEntries(Object.entries(COLUMNS).map(([field, column]) => [field, row[column] as string | number | null]));
}

/** A GraphQL report and the rows of a bi function as one comparable shape. */
function fromGraphql(report: Report, key: (row: Report['rows'][number]) => string) {
  return {
    rows: Object.fromEntries(report.rows.map((r) => [key(r), Object.fromEntries(Object.keys(COLUMNS).map((f) => [f, r[f]]))])),
    totals: report.totals,
    amounts: {
      totalPipeline: report.totalPipeline,
      totalRevenue: report.totalRevenue,
      unattributedPipeline: report.unattributedPipeline,
      unattributedRevenue: report.unattributedRevenue,
      unattributedPipelineShare: report.unattributedPipelineShare,
      unattributedRevenueShare: report.unattributedRevenueShare,
    },
  };
}

function fromSql(rows: Record<string, unknown>[], kind: string, key: string) {
  const totalRows = rows.filter((r) => r.row_kind === 'TOTAL');
  expect(totalRows).toHaveLength(1);
  expect(rows.filter((r) => r.row_kind !== 'TOTAL' && r.row_kind !== kind)).toEqual([]);
  const total = totalRows[0]!;
  return {
    rows: Object.fromEntries(rows.filter((r) => r.row_kind === kind).map((r) => [String(r[key]), figuresOf(r)])),
    totals: figuresOf(total),
    amounts: {
      totalPipeline: total.total_pipeline,
      totalRevenue: total.total_revenue,
      unattributedPipeline: total.unattributed_pipeline,
      unattributedRevenue: total.unattributed_revenue,
      unattributedPipelineShare: total.unattributed_pipeline_share,
      unattributedRevenueShare: total.unattributed_revenue_share,
    },
  };
}

describe('bi metric functions: the API and SQL give the same figures', () => {
  let app: TestApp;
  let logins: BiLogins;
  let bi: Client;

  beforeAll(async () => {
    app = await createTestApp();
    await load(app.db, generate(20240601));
    // spend on whole days, on some campaigns only (so that roi, roas and costs are null elsewhere)
    await app.db.sql(
      `INSERT INTO campaign_spend (campaign_id, spent_on, amount)
       SELECT c, d::date, round((c * 37 + extract(doy FROM d)::int * 11) % 500 + 0.37, 2)
       FROM generate_series(1, 9) c, generate_series('2024-01-20'::timestamp, '2024-11-10', interval '4 days') d`,
    );
    // the funnel's cohort: leads created over the year, some of them going further (checks: each stage after the last)
    await app.db.sql(`
      UPDATE leads SET created_at = least(coalesce(mql_at, 'infinity'), '2024-01-15'::timestamptz + (id * 53 % 290) * interval '1 day' + (id % 24) * interval '1 hour')`);
    await app.db.sql(`UPDATE leads SET sal_at = mql_at + (id % 7) * interval '1 day' + id * interval '1 minute' WHERE mql_at IS NOT NULL AND id % 3 > 0`);
    await app.db.sql(`UPDATE leads SET sql_at = sal_at + (id % 5) * interval '13 hours' WHERE sal_at IS NOT NULL AND id % 4 > 0`);
    await app.db.sql(`UPDATE leads SET opportunity_at = sql_at + (id % 9) * interval '1 day' WHERE sql_at IS NOT NULL AND id % 5 > 0`);
    await app.db.sql(`UPDATE leads SET customer_at = opportunity_at + interval '30 days' WHERE opportunity_at IS NOT NULL AND id % 2 = 0`);
    // SLA: agreements (one approved after the asOf below, one never by sales), sales-owned campaigns, feedback
    const approver = await insertUser(app.db, 'MARKETING');
    await insertAgreement(app.db, { version: 1, effectiveFrom: '2024-02-10T00:00:00Z', followUpHours: '36', monthlyMqlTarget: 6, approvedAt: '2024-02-01T00:00:00Z', approverId: approver });
    await insertAgreement(app.db, { version: 2, effectiveFrom: '2024-05-01T00:00:00Z', followUpHours: '72.5', monthlyMqlTarget: 0, approvedAt: '2024-04-01T00:00:00Z', approverId: approver });
    await insertAgreement(app.db, { version: 3, effectiveFrom: '2024-05-01T00:00:00Z', followUpHours: '12', monthlyMqlTarget: 9, approvedAt: null, approverId: approver });
    await insertAgreement(app.db, { version: 4, effectiveFrom: '2024-07-01T00:00:00Z', followUpHours: '200', monthlyMqlTarget: 4, approvedAt: '2024-09-15T00:00:00Z', approverId: approver });
    await app.db.sql(`UPDATE campaigns SET owner_team = 'SALES' WHERE id IN (3, 7, 11)`);
    await app.db.sql(
      `INSERT INTO lead_feedback (lead_id, disposition, reason, given_at)
       SELECT l.id, CASE WHEN l.id % 3 = 0 THEN 'ACCEPTED' ELSE 'REJECTED' END,
              CASE WHEN l.id % 3 = 0 THEN NULL ELSE (ARRAY['BAD_FIT', 'NO_BUDGET', 'BAD_TIMING', 'DUPLICATE', 'UNREACHABLE', 'ALREADY_CUSTOMER', 'OTHER'])[1 + l.id % 7] END,
              coalesce(l.mql_at, l.created_at) + (l.id % 11) * interval '7 hours' + k * interval '9 days'
       FROM leads l CROSS JOIN generate_series(0, 1) k WHERE l.id % 4 <> 1`,
    );
    // share of wallet: wallet sizes on most accounts (one of 0.00), two segments
    await app.db.sql(`UPDATE accounts SET wallet_size = CASE WHEN id = 5 THEN 0 ELSE id * 10007.31 END, segment = CASE WHEN id % 2 = 0 THEN 'MID_MARKET' ELSE 'SMB' END WHERE id % 7 <> 0`);
    await cacheJourneys(app.db, 90, 7);
    logins = new BiLogins(app.db);
    bi = await logins.connect(await logins.create('metrics'));
  });
  afterAll(async () => {
    await logins?.dropAll();
    await app?.close();
  });

  it.each(CASES.map((c) => [label(c), c] as const))('campaign performance: %s', async (_label, c) => {
    const { campaignPerformance: api } = await app.ok<{ campaignPerformance: Report }>(CAMPAIGN_QUERY, { input: graphqlInput(c) });
    const call = sqlCall('campaign_performance', c);
    const { rows } = await bi.query<Record<string, unknown>>(call.text, call.params);
    const sql = fromSql(rows, 'CAMPAIGN', 'campaign_id');
    expect(sql).toEqual(fromGraphql(api, (r) => decodeId('id', 'Campaign', r.campaign!.id)));
    if (c.from < '2030') expect(Object.keys(sql.rows).length).toBeGreaterThan(0);
  });

  it.each(CASES.map((c) => [label(c), c] as const))('channel performance: %s', async (_label, c) => {
    const { channelPerformance: api } = await app.ok<{ channelPerformance: Report }>(CHANNEL_QUERY, { input: graphqlInput(c) });
    const call = sqlCall('channel_performance', c);
    const { rows } = await bi.query<Record<string, unknown>>(call.text, call.params);
    expect(fromSql(rows, 'CHANNEL', 'channel')).toEqual(fromGraphql(api, (r) => r.channel!));
  });

  const SERIES_QUERY = `query($input: RevenueTimeSeriesInput!) {
    revenueTimeSeries(input: $input) {
      rows { periodStart from to campaign { id } channel spend attributedPipeline attributedRevenue unattributedPipeline unattributedRevenue }
    }
  }`;
  const SERIES: (Case & { grain: string; by: string })[] = [
    { model: 'LINEAR', ...YEAR, grain: 'MONTH', by: 'NONE' },
    { model: 'W_SHAPED', ...RAGGED, grain: 'MONTH', by: 'CHANNEL' },
    { model: 'TIME_DECAY', ...RAGGED, grain: 'QUARTER', by: 'CAMPAIGN' },
    { model: 'CUSTOM', ...YEAR, grain: 'WEEK', by: 'NONE', journeyScope: 'CONTACTS' },
    { model: 'FIRST_TOUCH', from: '2024-03-03T10:00:00Z', to: '2024-04-02T00:00:00Z', grain: 'DAY', by: 'CAMPAIGN' },
    { model: 'FULL_PATH', ...YEAR, grain: 'MONTH', by: 'CHANNEL', measures: ['REVENUE'], channels: ['EMAIL', 'EVENT'] },
    { model: 'LAST_TOUCH', from: '2031-01-01T00:00:00Z', to: '2031-03-01T00:00:00Z', grain: 'MONTH', by: 'NONE' },
  ];

  it.each(SERIES.map((c) => [`${c.grain} by ${c.by}: ${label(c)}`, c] as const))('revenue time series: %s', async (_label, c) => {
    type Row = Record<string, unknown> & { campaign: { id: string } | null };
    const input = { ...graphqlInput(c), grain: c.grain, by: c.by };
    const { revenueTimeSeries: api } = await app.ok<{ revenueTimeSeries: { rows: Row[] } }>(SERIES_QUERY, { input });
    const call = sqlCall('revenue_time_series', c);
    const text = call.text.replace(/\)$/, `, p_grain => $${call.params.length + 1}::text, p_by => $${call.params.length + 2}::text)`);
    const { rows } = await bi.query<Record<string, unknown>>(text, [...call.params, c.grain, c.by]);
    const iso = (t: unknown) => (t as Date).toISOString();
    const sql = rows.map((r) => ({
      periodStart: iso(r.period_start),
      from: iso(r.period_from),
      to: iso(r.period_to),
      campaignId: r.campaign_id,
      channel: r.channel,
      spend: r.spend,
      attributedPipeline: r.attributed_pipeline,
      attributedRevenue: r.attributed_revenue,
      unattributedPipeline: r.unattributed_pipeline,
      unattributedRevenue: r.unattributed_revenue,
    }));
    const graphql = api.rows.map(({ campaign, ...r }) => ({ ...r, campaignId: campaign ? decodeId('id', 'Campaign', campaign.id) : null }));
    expect(sql).toEqual(graphql);
    expect(sql.length).toBeGreaterThan(0);
  });

  const FUNNEL_QUERY = `query($input: FunnelInput!) {
    funnel(input: $input) {
      total { channel stages { stage count conversionRateToNext medianDaysToNext } }
      groups { channel stages { stage count conversionRateToNext medianDaysToNext } }
    }
  }`;

  it.each([
    ['NONE', YEAR],
    ['CHANNEL', YEAR],
    ['CHANNEL', RAGGED],
    ['CHANNEL', { from: '2031-01-01T00:00:00Z', to: '2031-02-01T00:00:00Z' }],
  ] as const)('funnel by %s over %o', async (groupBy, window) => {
    type Segment = { channel: string | null; stages: Record<string, unknown>[] };
    const { funnel: api } = await app.ok<{ funnel: { total: Segment; groups: Segment[] } }>(FUNNEL_QUERY, { input: { window, groupBy } });
    const { rows } = await bi.query<Record<string, unknown>>(`SELECT * FROM bi.funnel($1, $2, $3)`, [window.from, window.to, groupBy]);
    const stagesOf = (list: Record<string, unknown>[]) =>
      list.map((r) => ({ stage: r.stage, count: r.count, conversionRateToNext: r.conversion_rate_to_next, medianDaysToNext: r.median_days_to_next }));
    const totalRows = rows.filter((r) => r.is_total);
    const groupRows = rows.filter((r) => !r.is_total);
    const channels = [...new Set(groupRows.map((r) => r.channel))];
    expect({
      total: { channel: null, stages: stagesOf(totalRows) },
      groups: channels.map((channel) => ({ channel, stages: stagesOf(groupRows.filter((r) => r.channel === channel)) })),
    }).toEqual(api);
    if (window.from < '2030') expect(api.total.stages[0]!.count).toBeGreaterThan(0);
  });

  const SLA_QUERY = `query($input: SlaComplianceInput!) {
    slaCompliance(input: $input) {
      mqls within breached pending noAgreement responded complianceRate medianResponseHours
      responseTimes { fromHours toHours leads }
      months { monthStart periodFrom periodTo fullMonth agreementVersion monthlyMqlTarget mqlsDelivered attainment }
    }
  }`;

  it.each([
    [YEAR, '2024-08-01T00:00:00Z'],
    [RAGGED, '2024-12-01T00:00:00Z'],
    [{ from: '2031-01-01T00:00:00Z', to: '2031-02-01T00:00:00Z' }, '2031-03-01T00:00:00Z'],
  ] as const)('SLA compliance over %o as of %s', async (window, asOf) => {
    type Months = Record<string, unknown>[];
    const { slaCompliance: api } = await app.ok<{ slaCompliance: Record<string, unknown> & { months: Months } }>(SLA_QUERY, { input: { window, asOf } });
    const [followUp] = (await bi.query<Record<string, unknown>>(`SELECT * FROM bi.sla_follow_up($1, $2, $3)`, [window.from, window.to, asOf])).rows;
    const { rows: months } = await bi.query<Record<string, unknown>>(`SELECT * FROM bi.sla_months($1, $2, $3)`, [window.from, window.to, asOf]);
    const { rows: bands } = await bi.query<Record<string, unknown>>(`SELECT * FROM bi.sla_response_times($1, $2, $3)`, [window.from, window.to, asOf]);
    const iso = (t: unknown) => (t as Date).toISOString();
    expect({
      mqls: followUp!.mqls,
      within: followUp!.within,
      breached: followUp!.breached,
      pending: followUp!.pending,
      noAgreement: followUp!.no_agreement,
      responded: followUp!.responded,
      complianceRate: followUp!.compliance_rate,
      medianResponseHours: followUp!.median_response_hours,
      responseTimes: bands.map((b) => ({ fromHours: b.from_hours, toHours: b.to_hours, leads: b.leads })),
      months: months.map((m) => ({
        monthStart: iso(m.month_start),
        periodFrom: iso(m.period_from),
        periodTo: iso(m.period_to),
        fullMonth: m.full_month,
        agreementVersion: m.agreement_version,
        monthlyMqlTarget: m.monthly_mql_target,
        mqlsDelivered: m.mqls_delivered,
        attainment: m.attainment,
      })),
    }).toEqual(api);
    if (window.from < '2030') expect([api.within, api.breached, api.months.length].every((n) => (n as number) > 0)).toBe(true);
  });

  const FEEDBACK_COUNTS = `feedbackCount accepted rejected rejectionRate reasons { reason count }`;
  const FEEDBACK_QUERY = `query($input: LeadFeedbackSummaryInput!) {
    leadFeedbackSummary(input: $input) {
      total { ${FEEDBACK_COUNTS} }
      byCampaign { campaign { id } channel ${FEEDBACK_COUNTS} }
      byChannel { channel ${FEEDBACK_COUNTS} }
    }
  }`;

  it.each([[YEAR], [RAGGED], [{ from: '2031-01-01T00:00:00Z', to: '2031-02-01T00:00:00Z' }]] as const)('closed-loop feedback over %o', async (window) => {
    type Counts = Record<string, unknown>;
    const { leadFeedbackSummary: api } = await app.ok<{ leadFeedbackSummary: { total: Counts; byCampaign: (Counts & { campaign: { id: string } | null })[]; byChannel: Counts[] } }>(
      FEEDBACK_QUERY,
      { input: { window } },
    );
    const { rows } = await bi.query<Record<string, unknown>>(`SELECT * FROM bi.feedback_summary($1, $2)`, [window.from, window.to]);
    const reasons = ['BAD_FIT', 'NO_BUDGET', 'BAD_TIMING', 'DUPLICATE', 'UNREACHABLE', 'ALREADY_CUSTOMER', 'OTHER'];
    const countsOf = (r: Record<string, unknown>) => ({
      feedbackCount: r.feedback_count,
      accepted: r.accepted,
      rejected: r.rejected,
      rejectionRate: r.rejection_rate,
      reasons: reasons.map((reason) => ({ reason, count: r[reason.toLowerCase()] })),
    });
    expect({
      total: countsOf(rows.find((r) => r.level === 'TOTAL')!),
      byCampaign: rows.filter((r) => r.level === 'CAMPAIGN').map((r) => ({ campaignId: r.campaign_id, channel: r.channel, ...countsOf(r) })),
      byChannel: rows.filter((r) => r.level === 'CHANNEL').map((r) => ({ channel: r.channel, ...countsOf(r) })),
    }).toEqual({
      ...api,
      byCampaign: api.byCampaign.map(({ campaign, ...r }) => ({ campaignId: campaign ? decodeId('id', 'Campaign', campaign.id) : null, ...r })),
    });
    if (window.from < '2030') expect(api.byCampaign.length).toBeGreaterThan(1);
  });

  const WALLET_FIGURES = `walletSize revenue12m shareOfWallet whitespace openExpansionPipeline expansionRevenue12m`;
  const WALLET_QUERY = `query($input: WalletShareInput) {
    walletShare(input: $input) {
      portfolio {
        accounts accountsWithWalletSize walletSize revenue12m shareOfWallet whitespace openExpansionPipeline expansionRevenue12m
        retentionBaseAccounts retentionBasePriorRevenue retentionBaseRevenue12m netRevenueRetention
      }
      accounts(first: 100, orderBy: { field: SHARE_OF_WALLET, direction: DESC }) { edges { node { account { id } ${WALLET_FIGURES} } } }
    }
  }`;

  it.each([
    ['2025-06-01T00:00:00Z', null],
    ['2024-09-15T12:00:00Z', 'MID_MARKET'],
    ['2031-01-01T00:00:00Z', 'SMB'],
  ] as const)('share of wallet and NRR as of %s, segment %s', async (asOf, segment) => {
    type Node = Record<string, unknown> & { account: { id: string } };
    const { walletShare: api } = await app.ok<{ walletShare: { portfolio: Record<string, unknown>; accounts: { edges: { node: Node }[] } } }>(
      WALLET_QUERY,
      { input: { asOf, segment } },
    );
    const [portfolio] = (await bi.query<Record<string, unknown>>(`SELECT * FROM bi.wallet_portfolio($1, $2)`, [asOf, segment])).rows;
    const { rows } = await bi.query<Record<string, unknown>>(`SELECT * FROM bi.wallet_share_accounts($1, $2)`, [asOf, segment]);
    expect({
      accounts: portfolio!.accounts,
      accountsWithWalletSize: portfolio!.accounts_with_wallet_size,
      walletSize: portfolio!.wallet_size,
      revenue12m: portfolio!.revenue_12m,
      shareOfWallet: portfolio!.share_of_wallet,
      whitespace: portfolio!.whitespace,
      openExpansionPipeline: portfolio!.open_expansion_pipeline,
      expansionRevenue12m: portfolio!.expansion_revenue_12m,
      retentionBaseAccounts: portfolio!.retention_base_accounts,
      retentionBasePriorRevenue: portfolio!.retention_base_prior_revenue,
      retentionBaseRevenue12m: portfolio!.retention_base_revenue_12m,
      netRevenueRetention: portfolio!.net_revenue_retention,
    }).toEqual(api.portfolio);
    const byId = (list: [string, unknown][]) => Object.fromEntries(list.sort(([a], [b]) => Number(a) - Number(b)));
    expect(
      byId(rows.map((r) => [String(r.account_id), {
        walletSize: r.wallet_size,
        revenue12m: r.revenue_12m,
        shareOfWallet: r.share_of_wallet,
        whitespace: r.whitespace,
        openExpansionPipeline: r.open_expansion_pipeline,
        expansionRevenue12m: r.expansion_revenue_12m,
      }])),
    ).toEqual(byId(api.accounts.edges.map(({ node: { account, ...figures } }) => [decodeId('id', 'Account', account.id), figures])));
    expect(rows.length).toBeGreaterThan(0);
    if (asOf < '2030') expect(Number(api.portfolio.revenue12m)).toBeGreaterThan(0);
    if (segment === null) expect(api.portfolio.retentionBaseAccounts).toBeGreaterThan(0);
  });

  it.each([[YEAR], [RAGGED], [{ from: '2031-01-01T00:00:00Z', to: '2031-02-01T00:00:00Z' }]] as const)('acquisition cost over %o', async (window) => {
    const { acquisitionCost: api } = await app.ok<{ acquisitionCost: Record<string, unknown> }>(
      `query($input: AcquisitionCostInput!) { acquisitionCost(input: $input) { newCustomers spend cac } }`,
      { input: { window } },
    );
    const [row] = (await bi.query<Record<string, unknown>>(`SELECT * FROM bi.acquisition_cost($1, $2)`, [window.from, window.to])).rows;
    expect({ newCustomers: row!.new_customers, spend: row!.spend, cac: row!.cac }).toEqual(api);
    if (window.from < '2030') expect([api.newCustomers, Number(api.spend)].every((n) => (n as number) > 0)).toBe(true);
  });

  const MODEL_FIELDS: Record<string, string> = {
    FIRST_TOUCH: 'firstTouch',
    LAST_TOUCH: 'lastTouch',
    LINEAR: 'linear',
    TIME_DECAY: 'timeDecay',
    POSITION_BASED: 'positionBased',
    W_SHAPED: 'wShaped',
    FULL_PATH: 'fullPath',
    CUSTOM: 'custom',
  };
  const REVENUE = `revenue { ${Object.values(MODEL_FIELDS).join(' ')} }`;
  const COMPARISON_QUERY = `query($input: AttributionComparisonInput!) {
    attributionComparison(input: $input) {
      rows { campaign { id } channel ${REVENUE} }
      totals { ${Object.values(MODEL_FIELDS).join(' ')} } unattributed { ${Object.values(MODEL_FIELDS).join(' ')} } totalRevenue
    }
  }`;

  it.each([
    ['CAMPAIGN', { ...YEAR }],
    ['CHANNEL', { ...RAGGED, roleWeights: CUSTOM }],
    ['CAMPAIGN', { ...YEAR, journeyScope: 'CONTACTS', lookbackDays: 30, roleWeights: CUSTOM }],
    ['CHANNEL', { ...YEAR, channels: ['EMAIL', 'WEBINAR'] }],
  ] as const)('attribution comparison by %s: %o (every model but DATA_DRIVEN)', async (by, c) => {
    type Revenue = Record<string, string | null>;
    const input = {
      window: { from: c.from, to: c.to },
      by,
      ...('journeyScope' in c ? { journeyScope: c.journeyScope, lookbackDays: c.lookbackDays } : {}),
      ...('roleWeights' in c ? { roleWeights: c.roleWeights } : {}),
      ...('channels' in c ? { channels: c.channels } : {}),
    };
    const { attributionComparison: api } = await app.ok<{
      attributionComparison: { rows: { campaign: { id: string } | null; channel: string; revenue: Revenue }[]; totals: Revenue; unattributed: Revenue; totalRevenue: string };
    }>(COMPARISON_QUERY, { input });
    const weights = 'roleWeights' in c ? [c.roleWeights.first, c.roleWeights.leadConversion, c.roleWeights.opportunityCreation, c.roleWeights.close].map(String) : null;
    const { rows } = await bi.query<Record<string, unknown>>(
      `SELECT * FROM bi.attribution_comparison($1, $2, $3, p_journey_scope => $4, p_lookback_days => $5, p_role_weights => $6, p_channels => $7)`,
      [c.from, c.to, by, 'journeyScope' in c ? c.journeyScope : 'ACCOUNT', 'lookbackDays' in c ? c.lookbackDays : 90, weights, 'channels' in c ? c.channels : null],
    );
    const models = Object.keys(MODEL_FIELDS).filter((m) => m !== 'CUSTOM' || weights);
    const pick = (revenue: Revenue) => Object.fromEntries(models.map((m) => [m, revenue[MODEL_FIELDS[m]!]]));
    const keyOf = (r: Record<string, unknown>) => String(by === 'CAMPAIGN' ? r.campaign_id : r.channel);
    const sqlRows = rows.filter((r) => r.row_kind === by);
    const sqlKeys = [...new Set(sqlRows.map(keyOf))];
    const sqlTotals = rows.filter((r) => r.row_kind === 'TOTAL');
    const byModel = (list: Record<string, unknown>[], column: string) => Object.fromEntries(models.map((m) => [m, list.find((r) => r.model === m)?.[column] ?? '0.00']));
    const apiRows = api.rows.filter((r) => models.some((m) => r.revenue[MODEL_FIELDS[m]!] !== '0.00'));   // rows credited by DATA_DRIVEN alone are not in SQL's
    expect({
      rows: Object.fromEntries(sqlKeys.map((key) => [key, byModel(sqlRows.filter((r) => keyOf(r) === key), 'attributed_revenue')])),
      totals: byModel(sqlTotals, 'attributed_revenue'),
      unattributed: byModel(sqlTotals, 'unattributed_revenue'),
      totalRevenue: [...new Set(sqlTotals.map((r) => r.total_revenue))],
    }).toEqual({
      rows: Object.fromEntries(apiRows.map((r) => [by === 'CAMPAIGN' ? decodeId('id', 'Campaign', r.campaign!.id) : r.channel, pick(r.revenue)])),
      totals: pick(api.totals),
      unattributed: pick(api.unattributed),
      totalRevenue: [api.totalRevenue],
    });
    expect(apiRows.length).toBeGreaterThan(0);
  });

  it('reconciles: campaign credits plus the unattributed amount are the total, to the cent', async () => {
    const { rows } = await bi.query<{ kind: string; credits: string; unattributed: string; total: string }>(
      `SELECT row_kind AS kind, sum(attributed_revenue) OVER () - attributed_revenue AS credits,
              unattributed_revenue AS unattributed, total_revenue AS total
       FROM bi.campaign_performance('2024-02-01', '2024-11-01', 'W_SHAPED')`,
    );
    const total = rows.find((r) => r.kind === 'TOTAL')!;
    expect(Number(total.total)).toBeGreaterThan(0);
    // sum over campaign rows = (sum over all rows) - totals row
    expect((Math.round(Number(total.credits) * 100) + Math.round(Number(total.unattributed) * 100)) / 100).toBe(Number(total.total));
  });

  it('says DATA_DRIVEN is not available from SQL, and refuses bad arguments', async () => {
    expect(await sqlState(() => bi.query(`SELECT * FROM bi.campaign_performance('2024-02-01', '2024-11-01', 'DATA_DRIVEN')`))).toBe('0A000');
    expect(await sqlState(() => bi.query(`SELECT * FROM bi.revenue_time_series('2024-02-01', '2024-11-01', p_model => 'DATA_DRIVEN')`))).toBe('0A000');
    for (const statement of [
      `SELECT * FROM bi.campaign_performance('2024-02-01', '2024-11-01', 'NO_SUCH_MODEL')`,
      `SELECT * FROM bi.campaign_performance('2024-11-01', '2024-02-01')`,
      `SELECT * FROM bi.campaign_performance('2024-02-01', '2024-11-01', 'CUSTOM')`,
      `SELECT * FROM bi.campaign_performance('2024-02-01', '2024-11-01', 'CUSTOM', p_role_weights => '{0.5, 0.5, 0.5, 0}')`,
      `SELECT * FROM bi.campaign_performance('2024-02-01', '2024-11-01', p_lookback_days => 0)`,
      `SELECT * FROM bi.channel_performance('2024-02-01', '2024-11-01', p_measures => '{}')`,
      `SELECT * FROM bi.channel_performance('2024-02-01', '2024-11-01', p_journey_scope => 'EVERYONE')`,
      `SELECT * FROM bi.revenue_time_series('2024-02-01', '2024-11-01', p_grain => 'YEAR')`,
      `SELECT * FROM bi.revenue_time_series('2024-02-01', '2024-11-01', p_by => 'ACCOUNT')`,
      `SELECT * FROM bi.funnel('2024-02-01', '2024-11-01', 'CAMPAIGN')`,
      `SELECT * FROM bi.funnel('2024-11-01', '2024-02-01')`,
      `SELECT * FROM bi.sla_follow_up('2024-11-01', '2024-02-01')`,
      `SELECT * FROM bi.sla_months('2024-02-01', '2024-11-01', NULL)`,
      `SELECT * FROM bi.feedback_summary('2024-02-01', NULL)`,
      `SELECT * FROM bi.wallet_portfolio(NULL)`,
      `SELECT * FROM bi.acquisition_cost('2024-02-01', '2024-02-01')`,
    ]) {
      expect([statement, await sqlState(() => bi.query(statement))]).toEqual([statement, '22023']);
    }
  });

  it('lets a BI login call the functions, and still read no base or cache table', async () => {
    const { rows } = await bi.query(`SELECT count(*)::int AS n FROM bi.campaign_performance('2024-02-01', '2024-11-01')`);
    expect(rows[0]).toEqual({ n: expect.any(Number) });
    for (const table of ['opportunities', 'touchpoints', 'leads', 'campaign_spend', 'attribution_journeys', 'attribution_monthly', 'opportunity_monthly_totals']) {
      expect([table, await sqlState(() => bi.query(`SELECT * FROM public.${table} LIMIT 1`))]).toEqual([table, '42501']);
    }
    // the journey functions the metrics call read base tables with the caller's rights: nothing for a BI login
    // (which has no USAGE on schema public either: the function is not even found)
    const state = await sqlState(() => bi.query(`SELECT * FROM public.attribution_journey_rows('{1}', '{1}', 90, 7, 'ACCOUNT')`));
    expect(['42501', '42883']).toContain(state);
  });

  it('owns the functions by the bi owner, as SECURITY DEFINER with a fixed search_path, callable by the reader role only', async () => {
    const names = BI_METRIC_FILES.flatMap((file) => functionNames(readFileSync(join(ROOT, 'sql/bi', file), 'utf8')));
    expect(names).toEqual(
      expect.arrayContaining(['attribution_report', 'attribution_markov_transitions', 'campaign_performance', 'channel_performance', 'time_series_report', 'revenue_time_series', 'funnel', 'sla_follow_up', 'sla_response_times', 'sla_months', 'feedback_summary', 'wallet_share_accounts', 'wallet_portfolio', 'acquisition_cost', 'attribution_comparison']),
    );
    const rows = await app.db.sql<{ name: string; owner: string; definer: boolean; config: string[] | null; acl: string[] }>(
      `SELECT p.proname AS name, pg_get_userbyid(p.proowner) AS owner, p.prosecdef AS definer, p.proconfig AS config,
              coalesce(p.proacl::text[], '{}') AS acl
       FROM pg_proc p WHERE p.pronamespace = 'bi'::regnamespace AND p.proname = ANY ($1::text[])`,
      [names],
    );
    const [settings] = await app.db.sql<{ owner_role: string; reader_role: string }>(`SELECT owner_role, reader_role FROM bi_settings`);
    expect(rows.map((r) => r.name).sort()).toEqual([...new Set(names)].sort());
    for (const row of rows) {
      expect([row.name, row.owner]).toEqual([row.name, settings!.owner_role]);
      expect([row.name, row.config?.find((c) => c.startsWith('search_path='))]).toEqual([row.name, expect.stringMatching(/^search_path=/)]);
      // no EXECUTE for PUBLIC (an ACL entry "=X/..."), EXECUTE for the reader role
      expect([row.name, row.acl.some((entry) => entry.startsWith('=X'))]).toEqual([row.name, false]);
      expect([row.name, row.acl.some((entry) => entry.startsWith(`${settings!.reader_role}=X`))]).toEqual([row.name, true]);
    }
    expect(rows.filter((r) => r.definer).map((r) => r.name).sort()).toEqual(rows.filter((r) => !['attribution_model_weights', 'check_attribution_arguments', 'check_window'].includes(r.name)).map((r) => r.name).sort());
  });

  it('returns no personal data: no column of a metric function is an email, a name or free text', async () => {
    const rows = await app.db.sql<{ name: string; columns: string[] }>(
      `SELECT p.proname AS name, coalesce(
                (SELECT array_agg(a.name) FROM unnest(p.proargnames, p.proargmodes) AS a(name, mode) WHERE a.mode IN ('t', 'o')), '{}') AS columns
       FROM pg_proc p WHERE p.pronamespace = 'bi'::regnamespace AND p.prokind = 'f'`,
    );
    const columns = rows.flatMap((r) => r.columns.map((c) => `${r.name}.${c}`));
    expect(columns.length).toBeGreaterThan(0);
    expect(columns.filter((c) => /email|name|phone|note|comment|title|text/i.test(c.split('.')[1]!))).toEqual([]);
  });

  it('rounds by the same largest-remainder CTEs as the fragment its unit tests run', () => {
    const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
    const file = readFileSync(join(ROOT, 'sql/bi/attribution.sql'), 'utf8');
    expect(squash(file)).toContain(squash(LARGEST_REMAINDER));
  });
});
