import { useMemo, useState } from 'react';
import { useQuery } from '../api';
import { Chart, PALETTE } from '../chart';
import { count, label, money, percent, ratio } from '../format';
import { MODEL_FIELDS, MODEL_LABELS, MODELS, windowOf } from '../state';
import { type Column, download, Empty, Loaded, type Sort, SortableTable, sortRows, toCsv } from '../ui';
import type { ViewProps } from './props';

export const ATTRIBUTION_QUERY = `
query Attribution($window: ReportWindowInput!, $model: AttributionModel!, $scope: JourneyScope!, $by: AttributionDimension!) {
  comparison: attributionComparison(input: { window: $window, journeyScope: $scope, by: $by }) {
    totalRevenue
    totals { firstTouch lastTouch linear timeDecay positionBased wShaped fullPath dataDriven }
    unattributed { firstTouch lastTouch linear timeDecay positionBased wShaped fullPath dataDriven }
    rows { channel campaign { id name } revenue { firstTouch lastTouch linear timeDecay positionBased wShaped fullPath dataDriven } }
  }
  performance: campaignPerformance(input: { window: $window, model: $model, journeyScope: $scope, measures: [REVENUE, PIPELINE] }) {
    rows {
      campaign { id name channel }
      spend touches leadsSourced mqls attributedPipeline attributedRevenue roi roas costPerLead costPerMql
    }
  }
}`;

type ModelRevenue = Record<string, string>;
interface ComparisonRow {
  channel: string;
  campaign: { id: string; name: string } | null;
  revenue: ModelRevenue;
}
export interface PerformanceRow {
  campaign: { id: string; name: string; channel: string };
  spend: string;
  touches: number;
  leadsSourced: number;
  mqls: number;
  attributedPipeline: string | null;
  attributedRevenue: string | null;
  roi: number | null;
  roas: number | null;
  costPerLead: number | null;
  costPerMql: number | null;
}
interface AttributionData {
  comparison: { totalRevenue: string; totals: ModelRevenue; unattributed: ModelRevenue; rows: ComparisonRow[] };
  performance: { rows: PerformanceRow[] };
}

const n = (v: string | number | null) => (v === null ? null : Number(v));
const raw = (v: string | number | null) => (v === null ? '' : String(v));

/** The campaign table's columns; the CSV holds the API's own values in the same order. */
export const PERFORMANCE_COLUMNS: Column<PerformanceRow>[] = [
  { key: 'campaign', title: 'Campaign', text: (r) => r.campaign.name, sort: (r) => r.campaign.name },
  { key: 'channel', title: 'Channel', text: (r) => label(r.campaign.channel), csv: (r) => r.campaign.channel, sort: (r) => r.campaign.channel },
  { key: 'spend', title: 'Spend', numeric: true, text: (r) => money(r.spend), csv: (r) => r.spend, sort: (r) => n(r.spend) },
  { key: 'leads', title: 'Leads', numeric: true, text: (r) => count(r.leadsSourced), csv: (r) => raw(r.leadsSourced), sort: (r) => r.leadsSourced },
  { key: 'mqls', title: 'MQLs', numeric: true, text: (r) => count(r.mqls), csv: (r) => raw(r.mqls), sort: (r) => r.mqls },
  { key: 'pipeline', title: 'Attributed pipeline', numeric: true, text: (r) => money(r.attributedPipeline), csv: (r) => raw(r.attributedPipeline), sort: (r) => n(r.attributedPipeline) },
  { key: 'revenue', title: 'Attributed revenue', numeric: true, text: (r) => money(r.attributedRevenue), csv: (r) => raw(r.attributedRevenue), sort: (r) => n(r.attributedRevenue) },
  { key: 'roi', title: 'ROI', numeric: true, text: (r) => percent(r.roi), csv: (r) => raw(r.roi), sort: (r) => r.roi },
  { key: 'roas', title: 'ROAS', numeric: true, text: (r) => ratio(r.roas), csv: (r) => raw(r.roas), sort: (r) => r.roas },
  { key: 'cpl', title: 'Cost per lead', numeric: true, text: (r) => money(r.costPerLead), csv: (r) => raw(r.costPerLead), sort: (r) => r.costPerLead },
  { key: 'cpmql', title: 'Cost per MQL', numeric: true, text: (r) => money(r.costPerMql), csv: (r) => raw(r.costPerMql), sort: (r) => r.costPerMql },
];

function ModelsChart({ data, by }: { data: AttributionData['comparison']; by: 'CHANNEL' | 'CAMPAIGN' }) {
  const option = useMemo(() => {
    const rows = [...data.rows].sort((a, b) => Number(b.revenue.linear) - Number(a.revenue.linear)).slice(0, by === 'CHANNEL' ? 11 : 10);
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 140, right: 16, top: 40, bottom: 30 },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => (by === 'CHANNEL' ? label(r.channel) : (r.campaign?.name ?? label(r.channel)))) },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => money(v) } },
      series: MODELS.map((m, i) => ({ name: MODEL_LABELS[m], type: 'bar', data: rows.map((r) => Number(r.revenue[MODEL_FIELDS[m]])), itemStyle: { color: PALETTE[i] } })),
    };
  }, [data, by]);
  return <Chart option={option} label={`Attributed revenue by ${by === 'CHANNEL' ? 'channel' : 'campaign'} under each model`} height={by === 'CHANNEL' ? 520 : 480} />;
}

export function AttributionView({ apiKey, state }: ViewProps) {
  const [by, setBy] = useState<'CHANNEL' | 'CAMPAIGN'>('CHANNEL');
  const [sort, setSort] = useState<Sort>({ key: 'revenue', direction: 'descending' });
  const window = windowOf(state);
  const [result, retry] = useQuery<AttributionData>(apiKey, ATTRIBUTION_QUERY, { window, model: state.model, scope: state.scope, by });
  return (
    <Loaded state={result} retry={retry}>
      {(d) => (
        <>
          <section className="panel">
            <div className="panel-head">
              <h2>Every model side by side</h2>
              <div className="switch" role="group" aria-label="Compare by">
                {(['CHANNEL', 'CAMPAIGN'] as const).map((b) => (
                  <button key={b} type="button" aria-pressed={by === b} onClick={() => setBy(b)}>
                    By {b.toLowerCase()}
                  </button>
                ))}
              </div>
            </div>
            {d.comparison.rows.length ? (
              <>
                <ModelsChart data={d.comparison} by={by} />
                <div className="table-wrap" tabIndex={0} role="region" aria-label="Attributed revenue under each model">
                  <table data-testid="model-table">
                    <caption>Attributed revenue under each model ({money(d.comparison.totalRevenue)} won in the window)</caption>
                    <thead>
                      <tr>
                        <th scope="col">{by === 'CHANNEL' ? 'Channel' : 'Campaign'}</th>
                        {MODELS.map((m) => (
                          <th key={m} scope="col" className={`num${m === state.model ? ' chosen' : ''}`}>
                            {MODEL_LABELS[m]}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {d.comparison.rows.map((r) => (
                        <tr key={r.campaign?.id ?? r.channel}>
                          <th scope="row">{by === 'CHANNEL' ? label(r.channel) : (r.campaign?.name ?? '—')}</th>
                          {MODELS.map((m) => (
                            <td key={m} className={`num${m === state.model ? ' chosen' : ''}`}>
                              {money(r.revenue[MODEL_FIELDS[m]])}
                            </td>
                          ))}
                        </tr>
                      ))}
                      <tr className="sub">
                        <th scope="row">Unattributed</th>
                        {MODELS.map((m) => (
                          <td key={m} className="num">
                            {money(d.comparison.unattributed[MODEL_FIELDS[m]])}
                          </td>
                        ))}
                      </tr>
                    </tbody>
                  </table>
                </div>
              </>
            ) : (
              <Empty>No revenue was won in this window.</Empty>
            )}
          </section>
          <section className="panel">
            <div className="panel-head">
              <h2>Campaigns under {MODEL_LABELS[state.model]}</h2>
              <button
                type="button"
                disabled={!d.performance.rows.length}
                onClick={() => download(`campaigns-${state.model.toLowerCase()}-${window.from.slice(0, 10)}-${window.to.slice(0, 10)}.csv`, toCsv(PERFORMANCE_COLUMNS, sortRows(d.performance.rows, PERFORMANCE_COLUMNS, sort)))}
              >
                Download CSV
              </button>
            </div>
            {d.performance.rows.length ? (
              <SortableTable
                caption="Campaign performance (select a column heading to sort)"
                columns={PERFORMANCE_COLUMNS}
                rows={d.performance.rows}
                rowKey={(r) => r.campaign.id}
                testId="campaign-table"
                sort={sort}
                onSort={setSort}
              />
            ) : (
              <Empty>No campaign had spend or touches in this window.</Empty>
            )}
            <p className="note">ROI = (attributed revenue − spend) / spend; ROAS = attributed revenue / spend.</p>
          </section>
        </>
      )}
    </Loaded>
  );
}
