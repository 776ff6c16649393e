import { useMemo } from 'react';
import { useQuery } from '../api';
import { Chart, PALETTE } from '../chart';
import { label, money, month, percent, ratio } from '../format';
import { previousWindow, windowOf } from '../state';
import { Empty, Loaded, Tile } from '../ui';
import { CHANNEL_ORDER, type ViewProps } from './props';

export const OVERVIEW_QUERY = `
query Overview($cur: ReportWindowInput!, $prev: ReportWindowInput!, $model: AttributionModel!, $scope: JourneyScope!, $curAsOf: DateTime!, $prevAsOf: DateTime!) {
  current: campaignPerformance(input: { window: $cur, model: $model, journeyScope: $scope, measures: [REVENUE, PIPELINE] }) {
    totals { spend attributedRevenue attributedPipeline roas } unattributedRevenueShare
  }
  previous: campaignPerformance(input: { window: $prev, model: $model, journeyScope: $scope, measures: [REVENUE, PIPELINE] }) {
    totals { spend attributedRevenue attributedPipeline roas } unattributedRevenueShare
  }
  cacCurrent: acquisitionCost(input: { window: $cur }) { cac newCustomers }
  cacPrevious: acquisitionCost(input: { window: $prev }) { cac newCustomers }
  nrrCurrent: walletShare(input: { asOf: $curAsOf }) { portfolio { netRevenueRetention } }
  nrrPrevious: walletShare(input: { asOf: $prevAsOf }) { portfolio { netRevenueRetention } }
  series: revenueTimeSeries(input: { window: $cur, model: $model, journeyScope: $scope, grain: MONTH, by: CHANNEL, measures: [REVENUE] }) {
    rows { periodStart channel spend attributedRevenue }
  }
}`;

interface Totals {
  totals: { spend: string; attributedRevenue: string | null; attributedPipeline: string | null; roas: number | null };
  unattributedRevenueShare: number | null;
}
interface OverviewData {
  current: Totals;
  previous: Totals;
  cacCurrent: { cac: string | null; newCustomers: number };
  cacPrevious: { cac: string | null; newCustomers: number };
  nrrCurrent: { portfolio: { netRevenueRetention: number | null } };
  nrrPrevious: { portfolio: { netRevenueRetention: number | null } };
  series: { rows: { periodStart: string; channel: string | null; spend: string; attributedRevenue: string | null }[] };
}

/** The instant just before the end of a window: NRR is "as of" the window's last moment. */
const asOfEnd = (to: string) => new Date(new Date(to).getTime() - 1000).toISOString();

export function overviewVariables(state: ViewProps['state']) {
  const cur = windowOf(state);
  const prev = previousWindow(cur);
  return { cur, prev, model: state.model, scope: state.scope, curAsOf: asOfEnd(cur.to), prevAsOf: asOfEnd(prev.to) };
}

function SpendVsRevenue({ rows }: { rows: OverviewData['series']['rows'] }) {
  const option = useMemo(() => {
    const months = [...new Set(rows.map((r) => r.periodStart))].sort();
    const channels = CHANNEL_ORDER.filter((c) => rows.some((r) => r.channel === c));
    const value = (m: string, c: string, f: 'spend' | 'attributedRevenue') => Number(rows.find((r) => r.periodStart === m && r.channel === c)?.[f] ?? 0);
    const series = channels.flatMap((c, i) => [
      { name: `${label(c)}`, type: 'bar', stack: 'spend', data: months.map((m) => value(m, c, 'spend')), itemStyle: { color: PALETTE[i % PALETTE.length], opacity: 0.55 } },
      { name: `${label(c)}`, type: 'bar', stack: 'revenue', data: months.map((m) => value(m, c, 'attributedRevenue')), itemStyle: { color: PALETTE[i % PALETTE.length] } },
    ]);
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
      legend: { type: 'scroll', top: 0, data: channels.map(label) },
      grid: { left: 70, right: 16, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: months.map(month) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => money(v) } },
      series,
    };
  }, [rows]);
  if (!rows.length) return <Empty>No spend or attributed revenue in this window.</Empty>;
  return (
    <>
      <Chart option={option} label="Spend (light bars) and attributed revenue (dark bars) per month, stacked by channel" height={360} />
      <p className="note">Per month: the left bar of each pair is spend, the right one attributed revenue, both stacked by channel.</p>
    </>
  );
}

export function OverviewView({ apiKey, state }: ViewProps) {
  const [result, retry] = useQuery<OverviewData>(apiKey, OVERVIEW_QUERY, overviewVariables(state));
  return (
    <Loaded state={result} retry={retry}>
      {(d) => (
        <>
          <div className="tiles">
            <Tile id="spend" title="Spend" value={money(d.current.totals.spend)} current={d.current.totals.spend} previous={d.previous.totals.spend} hint={money(d.previous.totals.spend)} better="down" />
            <Tile id="revenue" title="Attributed revenue" value={money(d.current.totals.attributedRevenue)} current={d.current.totals.attributedRevenue} previous={d.previous.totals.attributedRevenue} hint={money(d.previous.totals.attributedRevenue)} />
            <Tile id="pipeline" title="Attributed pipeline" value={money(d.current.totals.attributedPipeline)} current={d.current.totals.attributedPipeline} previous={d.previous.totals.attributedPipeline} hint={money(d.previous.totals.attributedPipeline)} />
            <Tile id="roas" title="ROAS" value={ratio(d.current.totals.roas)} current={d.current.totals.roas} previous={d.previous.totals.roas} hint={ratio(d.previous.totals.roas)} />
            <Tile id="unattributed" title="Unattributed revenue" value={percent(d.current.unattributedRevenueShare)} current={d.current.unattributedRevenueShare} previous={d.previous.unattributedRevenueShare} hint={percent(d.previous.unattributedRevenueShare)} better="down" />
            <Tile id="cac" title="CAC" value={money(d.cacCurrent.cac)} current={d.cacCurrent.cac} previous={d.cacPrevious.cac} hint={money(d.cacPrevious.cac)} better="down" />
            <Tile id="nrr" title="Net revenue retention" value={percent(d.nrrCurrent.portfolio.netRevenueRetention)} current={d.nrrCurrent.portfolio.netRevenueRetention} previous={d.nrrPrevious.portfolio.netRevenueRetention} hint={percent(d.nrrPrevious.portfolio.netRevenueRetention)} />
          </div>
          <section className="panel">
            <h2>Spend vs attributed revenue per month, by channel</h2>
            <SpendVsRevenue rows={d.series.rows} />
          </section>
        </>
      )}
    </Loaded>
  );
}
