import { useMemo } from 'react';
import { useQuery } from '../api';
import { Chart } from '../chart';
import { count, days, label, percent } from '../format';
import { windowOf } from '../state';
import { Empty, Loaded } from '../ui';
import type { ViewProps } from './props';

const FUNNEL_QUERY = `
query Funnel($window: ReportWindowInput!) {
  funnel(input: { window: $window, groupBy: CHANNEL }) {
    total { stages { stage count conversionRateToNext medianDaysToNext } }
    groups { channel stages { stage count conversionRateToNext medianDaysToNext } }
  }
}`;

interface Stage {
  stage: string;
  count: number;
  conversionRateToNext: number | null;
  medianDaysToNext: number | null;
}
interface FunnelData {
  funnel: { total: { stages: Stage[] }; groups: { channel: string | null; stages: Stage[] }[] };
}

function Waterfall({ stages }: { stages: Stage[] }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 16, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: stages.map((s) => label(s.stage)) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', name: 'Leads', data: stages.map((s) => s.count), itemStyle: { color: '#2f6fde' }, label: { show: true, position: 'top' } }],
    }),
    [stages],
  );
  return <Chart option={option} label="Demand waterfall: leads created in the window reaching each stage" />;
}

export function FunnelView({ apiKey, state }: ViewProps) {
  const [result, retry] = useQuery<FunnelData>(apiKey, FUNNEL_QUERY, { window: windowOf(state) });
  return (
    <Loaded state={result} retry={retry}>
      {(d) => {
        const stages = d.funnel.total.stages;
        if (!stages.length || stages[0]!.count === 0) return <Empty>No lead was created in this window.</Empty>;
        return (
          <>
            <section className="panel">
              <h2>Demand waterfall</h2>
              <Waterfall stages={stages} />
              <div className="table-wrap" tabIndex={0} role="region" aria-label="Funnel stages">
                <table data-testid="funnel-table">
                  <caption>Leads created in the window, by the furthest stage reached</caption>
                  <thead>
                    <tr>
                      <th scope="col">Stage</th>
                      <th scope="col" className="num">Leads</th>
                      <th scope="col" className="num">Conversion to next</th>
                      <th scope="col" className="num">Median days to next</th>
                    </tr>
                  </thead>
                  <tbody>
                    {stages.map((s) => (
                      <tr key={s.stage}>
                        <th scope="row">{label(s.stage)}</th>
                        <td className="num">{count(s.count)}</td>
                        <td className="num">{percent(s.conversionRateToNext)}</td>
                        <td className="num">{days(s.medianDaysToNext)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
            <section className="panel">
              <h2>By channel of first touch</h2>
              <div className="table-wrap" tabIndex={0} role="region" aria-label="Funnel by channel">
                <table>
                  <caption>Leads at each stage, with the conversion to the next stage</caption>
                  <thead>
                    <tr>
                      <th scope="col">Channel</th>
                      {stages.map((s) => (
                        <th key={s.stage} scope="col" className="num">
                          {label(s.stage)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.funnel.groups.map((g) => (
                      <tr key={g.channel ?? 'none'}>
                        <th scope="row">{g.channel ? label(g.channel) : 'No touch'}</th>
                        {g.stages.map((s) => (
                          <td key={s.stage} className="num">
                            {count(s.count)}
                            {s.conversionRateToNext !== null && <span className="sub"> → {percent(s.conversionRateToNext)}</span>}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          </>
        );
      }}
    </Loaded>
  );
}
