import { useMemo, useState } from 'react';
import { gql, GraphQLRequestError, useQuery } from '../api';
import { Chart, PALETTE } from '../chart';
import { count, day, money, month, percent } from '../format';
import { windowOf } from '../state';
import { Empty, Loaded } from '../ui';
import type { ViewProps } from './props';

const BACKTEST_FIELDS = `
  agreement { id version }
  mqlThreshold monthlyMqlTarget cohort precisionSql recallSql precisionCustomer recallCustomer
  predicted { leads reachedSql reachedCustomer accepted rejected wonRevenue }
  actual { leads reachedSql reachedCustomer accepted rejected wonRevenue }
  months { monthStart predictedMqls actualMqls monthlyMqlTarget attainment }
  scoreBands { scoreFrom scoreTo leads sqlShare customerShare }`;

const QUALIFICATION_QUERY = `
query Qualification {
  inForce: currentAgreement { id version effectiveFrom mqlThreshold monthlyMqlTarget followUpHours }
  agreements: alignmentAgreements(first: 20) {
    edges { node {
      id version approved effectiveFrom mqlThreshold monthlyMqlTarget followUpHours marketingApprovedAt salesApprovedAt notes
    } }
  }
  marketing: users(first: 50, filter: { team: MARKETING }) { edges { node { id name } } }
  sales: users(first: 50, filter: { team: SALES }) { edges { node { id name } } }
}`;

const BACKTEST_QUERY = `
query Backtest($id: ID!, $from: DateTime!, $to: DateTime!) {
  node(id: $id) { ... on AlignmentAgreement { backtestAgainstInForce(from: $from, to: $to, bandWidth: 10) { a { ${BACKTEST_FIELDS} } b { ${BACKTEST_FIELDS} } } } }
}`;

const APPROVE = `
mutation Approve($input: ApproveAgreementInput!) {
  approveAgreement(input: $input) { agreement { id approved marketingApprovedAt salesApprovedAt } qualifiedLeads }
}`;

interface Backtest {
  agreement: { id: string; version: number } | null;
  mqlThreshold: number;
  monthlyMqlTarget: number;
  cohort: number;
  precisionSql: number | null;
  recallSql: number | null;
  precisionCustomer: number | null;
  recallCustomer: number | null;
  predicted: Outcomes;
  actual: Outcomes;
  months: { monthStart: string; predictedMqls: number; actualMqls: number; monthlyMqlTarget: number; attainment: number | null }[];
  scoreBands: { scoreFrom: number; scoreTo: number; leads: number; sqlShare: number; customerShare: number }[];
}
interface Outcomes {
  leads: number;
  reachedSql: number;
  reachedCustomer: number;
  accepted: number;
  rejected: number;
  wonRevenue: string;
}
interface Agreement {
  id: string;
  version: number;
  approved: boolean;
  effectiveFrom: string;
  mqlThreshold: number;
  monthlyMqlTarget: number;
  followUpHours: number;
  marketingApprovedAt: string | null;
  salesApprovedAt: string | null;
  notes: string | null;
}
interface BacktestData {
  node: { backtestAgainstInForce: { a: Backtest; b: Backtest | null } } | null;
}
interface QualificationData {
  inForce: { id: string; version: number } | null;
  agreements: { edges: { node: Agreement }[] };
  marketing: { edges: { node: { id: string; name: string } }[] };
  sales: { edges: { node: { id: string; name: string } }[] };
}

export function QualificationView({ apiKey, state }: ViewProps) {
  const w = windowOf(state);
  // a backtest counts outcomes up to now: its window may not end later
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  const to = w.to < now ? w.to : now;
  const [result, retry] = useQuery<QualificationData>(apiKey, QUALIFICATION_QUERY, {});
  return (
    <Loaded state={result} retry={retry}>
      {(d) => <Qualification d={d} apiKey={apiKey} reload={retry} from={w.from} to={to} />}
    </Loaded>
  );
}

function Qualification({ d, apiKey, reload, from, to }: { d: QualificationData; apiKey: string; reload: () => void; from: string; to: string }) {
  const agreements = d.agreements.edges.map((e) => e.node);
  const proposals = agreements.filter((a) => !a.approved);
  const [chosen, setChosen] = useState(proposals[0]?.id ?? agreements[0]?.id ?? '');
  const agreement = agreements.find((a) => a.id === chosen);
  const [backtest, retry] = useQuery<BacktestData>(apiKey, BACKTEST_QUERY, { id: chosen, from, to }, !agreement);
  if (!agreement) return <Empty>No agreement has been proposed yet.</Empty>;
  return (
    <>
      <div className="controls inline">
        <div className="field">
          <label htmlFor="agreement">Proposed definition</label>
          <select id="agreement" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            {agreements.map((a) => (
              <option key={a.id} value={a.id}>
                Version {a.version} {a.approved ? '(approved)' : '(awaiting approval)'}, from {day(a.effectiveFrom)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Loaded state={backtest} retry={retry}>
        {(b) =>
          b.node ? (
            <>
              <div className="grid-2">
                <PolicyCard title={b.node.backtestAgainstInForce.b?.agreement ? `In force: version ${b.node.backtestAgainstInForce.b.agreement.version}` : 'In force: none'} backtest={b.node.backtestAgainstInForce.b} testId="policy-in-force" />
                <PolicyCard title={`Chosen: version ${agreement.version}`} backtest={b.node.backtestAgainstInForce.a} testId="policy-proposed" />
              </div>
              <MonthsChart proposed={b.node.backtestAgainstInForce.a} inForce={b.node.backtestAgainstInForce.b} />
              <BandsChart proposed={b.node.backtestAgainstInForce.a} />
            </>
          ) : (
            <Empty>This agreement is gone.</Empty>
          )
        }
      </Loaded>
      <Approval
        agreement={agreement}
        d={d}
        apiKey={apiKey}
        reload={() => {
          reload();
          retry();
        }}
      />
    </>
  );
}

function PolicyCard({ title, backtest, testId }: { title: string; backtest: Backtest | null; testId: string }) {
  return (
    <section className="panel" data-testid={testId}>
      <h2>{title}</h2>
      {backtest ? (
        <dl className="facts">
          <dt>MQL threshold</dt>
          <dd>{count(backtest.mqlThreshold)} points</dd>
          <dt>Monthly MQL target</dt>
          <dd>{count(backtest.monthlyMqlTarget)}</dd>
          <dt>Leads it makes MQLs</dt>
          <dd>{count(backtest.predicted.leads)}</dd>
          <dt>… of which reached SQL</dt>
          <dd>
            {count(backtest.predicted.reachedSql)} (precision {percent(backtest.precisionSql)}, recall {percent(backtest.recallSql)})
          </dd>
          <dt>… became customers</dt>
          <dd>
            {count(backtest.predicted.reachedCustomer)} (precision {percent(backtest.precisionCustomer)})
          </dd>
          <dt>… accepted / rejected by sales</dt>
          <dd>
            {count(backtest.predicted.accepted)} / {count(backtest.predicted.rejected)}
          </dd>
          <dt>Revenue won from them</dt>
          <dd>{money(backtest.predicted.wonRevenue)}</dd>
        </dl>
      ) : (
        <Empty>No definition is in force: approving the proposal puts it in force.</Empty>
      )}
    </section>
  );
}

function MonthsChart({ proposed, inForce }: { proposed: Backtest; inForce: Backtest | null }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: proposed.months.map((m) => month(m.monthStart)) },
      yAxis: { type: 'value', name: 'MQLs' },
      series: [
        ...(inForce ? [{ name: 'In force', type: 'bar', data: inForce.months.map((m) => m.predictedMqls), itemStyle: { color: PALETTE[8] } }] : []),
        { name: 'Proposed', type: 'bar', data: proposed.months.map((m) => m.predictedMqls), itemStyle: { color: PALETTE[0] } },
        { name: 'Recorded', type: 'line', data: proposed.months.map((m) => m.actualMqls), itemStyle: { color: PALETTE[2] } },
        { name: 'Target (proposed)', type: 'line', step: 'middle', data: proposed.months.map((m) => m.monthlyMqlTarget), itemStyle: { color: PALETTE[1] } },
      ],
    }),
    [proposed, inForce],
  );
  return (
    <section className="panel">
      <h2>MQLs by month against target</h2>
      {proposed.months.length ? <Chart option={option} label="MQLs per month under the definition in force and the proposed one, the MQLs recorded, and the target" /> : <Empty>No month in this window.</Empty>}
    </section>
  );
}

function BandsChart({ proposed }: { proposed: Backtest }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: proposed.scoreBands.map((b) => `${b.scoreFrom}–${b.scoreTo}`), name: 'Score' },
      yAxis: [
        { type: 'value', name: 'Leads' },
        { type: 'value', name: 'Share', min: 0, max: 1, axisLabel: { formatter: (v: number) => percent(v) } },
      ],
      series: [
        { name: 'Leads', type: 'bar', data: proposed.scoreBands.map((b) => b.leads), itemStyle: { color: PALETTE[0] } },
        { name: 'Reached SQL', type: 'line', yAxisIndex: 1, data: proposed.scoreBands.map((b) => b.sqlShare), itemStyle: { color: PALETTE[2] } },
        { name: 'Became customers', type: 'line', yAxisIndex: 1, data: proposed.scoreBands.map((b) => b.customerShare), itemStyle: { color: PALETTE[3] } },
      ],
    }),
    [proposed],
  );
  return (
    <section className="panel">
      <h2>How leads turned out by score (proposed definition)</h2>
      {proposed.scoreBands.length ? <Chart option={option} label="Leads per score band and the share that reached SQL or became customers" /> : <Empty>No lead was scored in this window.</Empty>}
    </section>
  );
}

function Approval({ agreement, d, apiKey, reload }: { agreement: Agreement; d: QualificationData; apiKey: string; reload: () => void }) {
  const approvers = [
    ...d.marketing.edges.map((e) => ({ ...e.node, team: 'Marketing' })),
    ...d.sales.edges.map((e) => ({ ...e.node, team: 'Sales' })),
  ];
  const [approver, setApprover] = useState(approvers[0]?.id ?? '');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const approve = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await gql<{ approveAgreement: { agreement: { approved: boolean }; qualifiedLeads: number | null } }>(apiKey, APPROVE, { input: { agreementId: agreement.id, approverId: approver } });
      const p = r.approveAgreement;
      setMessage({ ok: true, text: p.agreement.approved ? `Approved by both teams: in force from ${day(agreement.effectiveFrom)}${p.qualifiedLeads !== null ? `; ${count(p.qualifiedLeads)} leads became MQLs` : ''}.` : 'Approved for this team; the other team still has to approve.' });
      reload();
    } catch (e) {
      const error = e as GraphQLRequestError;
      setMessage({ ok: false, text: error.code === 'FORBIDDEN' ? `Your key may not approve this: ${error.message}` : error.message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="approval-title">
      <h2 id="approval-title">Approval of version {agreement.version}</h2>
      <p>
        Marketing: {agreement.marketingApprovedAt ? `approved ${day(agreement.marketingApprovedAt)}` : 'not yet'} · Sales: {agreement.salesApprovedAt ? `approved ${day(agreement.salesApprovedAt)}` : 'not yet'}
      </p>
      {agreement.approved ? (
        <p>Both teams approved this version.</p>
      ) : (
        <div className="controls inline">
          <div className="field">
            <label htmlFor="approver">Approve as</label>
            <select id="approver" value={approver} onChange={(e) => setApprover(e.target.value)}>
              {approvers.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({u.team})
                </option>
              ))}
            </select>
          </div>
          <button type="button" onClick={approve} disabled={busy || !approver}>
            {busy ? 'Approving…' : 'Approve'}
          </button>
        </div>
      )}
      {message && (
        <p className={`status ${message.ok ? 'ok' : 'error'}`} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
