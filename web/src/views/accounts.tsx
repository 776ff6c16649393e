import { useMemo } from 'react';
import { useQuery } from '../api';
import { Chart, PALETTE } from '../chart';
import { count, label, money, percent } from '../format';
import { windowOf } from '../state';
import { type Column, Loaded, SortableTable, Tile } from '../ui';
import type { ViewProps } from './props';

const ACCOUNTS_QUERY = `
query Accounts($asOf: DateTime!) {
  walletShare(input: { asOf: $asOf }) {
    asOf
    portfolio { accounts walletSize revenue12m shareOfWallet whitespace openExpansionPipeline expansionRevenue12m netRevenueRetention }
    accounts(first: 25, orderBy: { field: WHITESPACE, direction: DESC }) {
      totalCount
      edges { node { account { id name segment industry } walletSize revenue12m shareOfWallet whitespace openExpansionPipeline expansionRevenue12m } }
    }
  }
}`;

interface AccountRow {
  account: { id: string; name: string; segment: string | null; industry: string | null };
  walletSize: string | null;
  revenue12m: string;
  shareOfWallet: number | null;
  whitespace: string | null;
  openExpansionPipeline: string;
  expansionRevenue12m: string;
}
interface AccountsData {
  walletShare: {
    asOf: string;
    portfolio: { accounts: number; walletSize: string; revenue12m: string; shareOfWallet: number | null; whitespace: string; openExpansionPipeline: string; expansionRevenue12m: string; netRevenueRetention: number | null };
    accounts: { totalCount: number; edges: { node: AccountRow }[] };
  };
}

const n = (v: string | null) => (v === null ? null : Number(v));
const COLUMNS: Column<AccountRow>[] = [
  { key: 'name', title: 'Account', text: (r) => r.account.name, sort: (r) => r.account.name },
  { key: 'segment', title: 'Segment', text: (r) => label(r.account.segment), sort: (r) => r.account.segment },
  { key: 'wallet', title: 'Wallet size', numeric: true, text: (r) => money(r.walletSize), sort: (r) => n(r.walletSize) },
  { key: 'revenue', title: 'Revenue, 12 months', numeric: true, text: (r) => money(r.revenue12m), sort: (r) => n(r.revenue12m) },
  { key: 'share', title: 'Share of wallet', numeric: true, text: (r) => percent(r.shareOfWallet), sort: (r) => r.shareOfWallet },
  { key: 'whitespace', title: 'Whitespace', numeric: true, text: (r) => money(r.whitespace), sort: (r) => n(r.whitespace) },
  { key: 'pipeline', title: 'Open expansion pipeline', numeric: true, text: (r) => money(r.openExpansionPipeline), sort: (r) => n(r.openExpansionPipeline) },
];

function RoomToGrow({ rows }: { rows: AccountRow[] }) {
  const top = rows.slice(0, 12);
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
      legend: { top: 0 },
      grid: { left: 150, right: 16, top: 40, bottom: 30 },
      yAxis: { type: 'category', inverse: true, data: top.map((r) => r.account.name) },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => money(v) } },
      series: [
        { name: 'Won, last 12 months', type: 'bar', stack: 'wallet', data: top.map((r) => Number(r.revenue12m)), itemStyle: { color: PALETTE[0] } },
        { name: 'Whitespace', type: 'bar', stack: 'wallet', data: top.map((r) => Number(r.whitespace ?? 0)), itemStyle: { color: '#c9d6ee' } },
        { name: 'Open expansion pipeline', type: 'bar', data: top.map((r) => Number(r.openExpansionPipeline)), itemStyle: { color: PALETTE[1] } },
      ],
    }),
    [top],
  );
  return <Chart option={option} label="The accounts with the most whitespace: revenue won in the last 12 months and whitespace make up the wallet; open expansion pipeline beside" height={420} />;
}

export function AccountsView({ apiKey, state }: ViewProps) {
  const asOf = new Date(new Date(windowOf(state).to).getTime() - 1000).toISOString();
  const [result, retry] = useQuery<AccountsData>(apiKey, ACCOUNTS_QUERY, { asOf });
  return (
    <Loaded state={result} retry={retry}>
      {({ walletShare: w }) => (
        <>
          <p className="note">Share of wallet looks at the 12 months before the end of the window.</p>
          <div className="tiles">
            <Tile id="share-of-wallet" title="Share of wallet" value={percent(w.portfolio.shareOfWallet)} />
            <Tile id="whitespace" title="Whitespace" value={money(w.portfolio.whitespace)} />
            <Tile id="expansion-pipeline" title="Open expansion pipeline" value={money(w.portfolio.openExpansionPipeline)} />
            <Tile id="expansion-revenue" title="Expansion revenue, 12 months" value={money(w.portfolio.expansionRevenue12m)} />
            <Tile id="accounts-nrr" title="Net revenue retention" value={percent(w.portfolio.netRevenueRetention)} />
          </div>
          <section className="panel">
            <h2>Most room to grow</h2>
            <RoomToGrow rows={w.accounts.edges.map((e) => e.node)} />
            <SortableTable
              caption={`The ${count(w.accounts.edges.length)} accounts with the most whitespace, of ${count(w.accounts.totalCount)}`}
              columns={COLUMNS}
              rows={w.accounts.edges.map((e) => e.node)}
              rowKey={(r) => r.account.id}
              initial={{ key: 'whitespace', direction: 'descending' }}
              testId="accounts-table"
            />
          </section>
        </>
      )}
    </Loaded>
  );
}
