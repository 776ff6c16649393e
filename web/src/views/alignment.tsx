import { useMemo } from 'react';
import { useQuery } from '../api';
import { Chart, PALETTE } from '../chart';
import { count, decimal, label, month, percent } from '../format';
import { windowOf, type ReportWindow } from '../state';
import { Empty, Loaded, Tile } from '../ui';
import type { ViewProps } from './props';

const REASONS = ['BAD_FIT', 'NO_BUDGET', 'BAD_TIMING', 'DUPLICATE', 'UNREACHABLE', 'ALREADY_CUSTOMER', 'OTHER'];

/** The calendar months (UTC) the window touches, each cut to the window; at most the last 24. */
export function monthsOf(w: ReportWindow): ReportWindow[] {
  const out: ReportWindow[] = [];
  const end = new Date(w.to);
  let start = new Date(w.from);
  while (start < end) {
    const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    out.push({ from: start.toISOString(), to: (next < end ? next : end).toISOString() });
    start = next;
  }
  return out.slice(-24);
}

function alignmentQuery(months: number): string {
  const perMonth = Array.from({ length: months }, (_, i) => `m${i}: slaCompliance(input: { window: $m${i} }) { complianceRate within breached pending }`).join('\n  ');
  const args = Array.from({ length: months }, (_, i) => `, $m${i}: ReportWindowInput!`).join('');
  return `
query Alignment($window: ReportWindowInput!${args}) {
  sla: slaCompliance(input: { window: $window }) {
    mqls within breached pending noAgreement responded complianceRate medianResponseHours
    responseTimes { fromHours toHours leads }
    months { monthStart mqlsDelivered monthlyMqlTarget attainment fullMonth }
  }
  feedback: leadFeedbackSummary(input: { window: $window }) {
    total { feedbackCount accepted rejected rejectionRate }
    byCampaign { campaign { id name } channel feedbackCount rejected rejectionRate reasons { reason count } }
  }
  ${perMonth}
}`;
}

interface MonthSla {
  complianceRate: number | null;
  within: number;
  breached: number;
  pending: number;
}
interface AlignmentData {
  sla: MonthSla & {
    mqls: number;
    noAgreement: number;
    responded: number;
    medianResponseHours: number | null;
    responseTimes: { fromHours: number; toHours: number | null; leads: number }[];
    months: { monthStart: string; mqlsDelivered: number; monthlyMqlTarget: number | null; attainment: number | null }[];
  };
  feedback: {
    total: { feedbackCount: number; accepted: number; rejected: number; rejectionRate: number | null };
    byCampaign: { campaign: { id: string; name: string } | null; channel: string | null; feedbackCount: number; rejected: number; rejectionRate: number | null; reasons: { reason: string; count: number }[] }[];
  };
  [month: `m${number}`]: MonthSla;
}

export function AlignmentView({ apiKey, state }: ViewProps) {
  const window = windowOf(state);
  const months = monthsOf(window);
  const variables: Record<string, unknown> = { window };
  months.forEach((m, i) => (variables[`m${i}`] = m));
  const [result, retry] = useQuery<AlignmentData>(apiKey, alignmentQuery(months.length), variables);
  return (
    <Loaded state={result} retry={retry}>
      {(d) => <AlignmentReport d={d} months={months} />}
    </Loaded>
  );
}

function AlignmentReport({ d, months }: { d: AlignmentData; months: ReportWindow[] }) {
  const compliance = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: months.map((m) => month(m.from)) },
      yAxis: [
        { type: 'value', name: 'MQLs' },
        { type: 'value', name: 'Compliance', min: 0, max: 1, axisLabel: { formatter: (v: number) => percent(v) } },
      ],
      series: [
        { name: 'Followed up within SLA', type: 'bar', stack: 'mql', data: months.map((_, i) => d[`m${i}`]?.within ?? 0), itemStyle: { color: PALETTE[2] } },
        { name: 'Breached', type: 'bar', stack: 'mql', data: months.map((_, i) => d[`m${i}`]?.breached ?? 0), itemStyle: { color: PALETTE[7] } },
        { name: 'Pending', type: 'bar', stack: 'mql', data: months.map((_, i) => d[`m${i}`]?.pending ?? 0), itemStyle: { color: PALETTE[8] } },
        { name: 'Compliance rate', type: 'line', yAxisIndex: 1, data: months.map((_, i) => d[`m${i}`]?.complianceRate ?? null), itemStyle: { color: '#111' }, tooltip: { valueFormatter: (v: number) => percent(v) } },
      ],
    }),
    [d, months],
  );
  const delivery = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.sla.months.map((m) => month(m.monthStart)) },
      yAxis: { type: 'value', name: 'MQLs' },
      series: [
        { name: 'MQLs delivered', type: 'bar', data: d.sla.months.map((m) => m.mqlsDelivered), itemStyle: { color: PALETTE[0] } },
        { name: 'Target', type: 'line', step: 'middle', data: d.sla.months.map((m) => m.monthlyMqlTarget), itemStyle: { color: PALETTE[1] } },
      ],
    }),
    [d],
  );
  const distribution = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['45%', '70%'],
          label: { formatter: '{b}: {c}' },
          data: [
            { name: 'Within SLA', value: d.sla.within, itemStyle: { color: PALETTE[2] } },
            { name: 'Breached', value: d.sla.breached, itemStyle: { color: PALETTE[7] } },
            { name: 'Pending', value: d.sla.pending, itemStyle: { color: PALETTE[8] } },
            { name: 'No agreement', value: d.sla.noAgreement, itemStyle: { color: PALETTE[5] } },
          ],
        },
      ],
    }),
    [d],
  );
  /** "0–1 h", "8–24 h", "168+ h": a band of the response-time distribution. */
  const bandLabel = (b: { fromHours: number; toHours: number | null }) => (b.toHours === null ? `${b.fromHours}+ h` : `${b.fromHours}–${b.toHours} h`);
  const responseTimes = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 16, top: 30, bottom: 40 },
      xAxis: { type: 'category', name: 'Hours from MQL to first response', nameLocation: 'middle', nameGap: 28, data: d.sla.responseTimes.map(bandLabel) },
      yAxis: { type: 'value', name: 'MQLs', minInterval: 1 },
      series: [{ name: 'MQLs', type: 'bar', data: d.sla.responseTimes.map((b) => b.leads), itemStyle: { color: PALETTE[0] } }],
    }),
    [d],
  );
  const campaigns = d.feedback.byCampaign.filter((c) => c.rejected > 0).sort((a, b) => b.rejected - a.rejected).slice(0, 12);
  const reasons = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 180, right: 16, top: 40, bottom: 30 },
      yAxis: { type: 'category', inverse: true, data: campaigns.map((c) => c.campaign?.name ?? label(c.channel)) },
      xAxis: { type: 'value', name: 'Rejected leads' },
      series: REASONS.map((r, i) => ({ name: label(r), type: 'bar', stack: 'reasons', data: campaigns.map((c) => c.reasons.find((x) => x.reason === r)?.count ?? 0), itemStyle: { color: PALETTE[i] } })),
    }),
    [campaigns],
  );
  return (
    <>
      <div className="tiles">
        <Tile id="sla-compliance" title="Follow-up within SLA" value={percent(d.sla.complianceRate)} />
        <Tile id="sla-median" title="Median response (hours)" value={decimal(d.sla.medianResponseHours)} />
        <Tile id="sla-mqls" title="MQLs handed over" value={count(d.sla.mqls)} />
        <Tile id="rejection-rate" title="Rejected by sales" value={percent(d.feedback.total.rejectionRate)} />
      </div>
      <div className="grid-2">
        <section className="panel">
          <h2>Sales' follow-up compliance over time</h2>
          {months.length ? <Chart option={compliance} label="MQLs per month followed up within the SLA, breached or pending, and the compliance rate" /> : <Empty>No month in this window.</Empty>}
        </section>
        <section className="panel">
          <h2>Response-time outcomes</h2>
          {d.sla.mqls ? <Chart option={distribution} label="How the MQLs of the window were followed up: within the SLA, breached, pending, or without an agreement" /> : <Empty>No MQL in this window.</Empty>}
        </section>
      </div>
      <section className="panel">
        <h2>Response-time distribution</h2>
        {d.sla.responded ? (
          <Chart option={responseTimes} label="Responded MQLs by hours from the MQL to sales' first response" />
        ) : (
          <Empty>Sales responded to no MQL of this window yet.</Empty>
        )}
        <p className="note" data-testid="response-times">
          {d.sla.responseTimes.map((b) => `${bandLabel(b)}: ${count(b.leads)}`).join(' · ')}
        </p>
      </section>
      <section className="panel">
        <h2>Marketing's MQL delivery against target</h2>
        {d.sla.months.length ? <Chart option={delivery} label="MQLs delivered per month against the agreed monthly target" /> : <Empty>No month in this window.</Empty>}
      </section>
      <section className="panel">
        <h2>Why sales rejected leads, by campaign</h2>
        {campaigns.length ? <Chart option={reasons} label="Rejected leads per campaign, stacked by rejection reason" height={Math.max(240, 40 + campaigns.length * 30)} /> : <Empty>Sales rejected no lead in this window.</Empty>}
      </section>
    </>
  );
}
