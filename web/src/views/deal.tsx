import { useEffect, useState } from 'react';
import { gql, GraphQLRequestError, useQuery, type QueryState } from '../api';
import { cents, day, label, money, percent } from '../format';
import { MODEL_LABELS, windowOf } from '../state';
import { Empty, Loaded } from '../ui';
import type { ViewProps } from './props';

const DEALS_QUERY = `
query Deals($closed: TimeRange!) {
  opportunities(first: 25, filter: { stages: [CLOSED_WON], closedAt: $closed }, orderBy: { field: AMOUNT, direction: DESC }) {
    totalCount
    edges { node { id name amount closedAt account { name } } }
  }
}`;

const DEAL_FIELDS = 'id name amount kind stage createdAt closedAt account { id name }';

/** The deal's journey with each touch's credit (Opportunity.attribution). */
export const JOURNEY_QUERY = `
query DealJourney($id: ID!, $model: AttributionModel!, $scope: JourneyScope!) {
  opportunity(id: $id) {
    ${DEAL_FIELDS}
    attribution(model: $model, journeyScope: $scope) {
      amount unattributed
      touches { position occurredAt roles heldRoles weight credit touchpoint { id kind } campaign { id name channel } }
    }
  }
}`;

/** Without Opportunity.attribution (an older API): the contacts' touches, without credits. */
const TOUCHES_QUERY = `
query DealTouches($id: ID!) {
  opportunity(id: $id) {
    ${DEAL_FIELDS}
    contacts { id touchpoints(first: 100) { edges { node { id occurredAt kind campaign { id name channel } } } } }
  }
}`;

interface Deal {
  id: string;
  name: string;
  amount: string;
  kind: string;
  stage: string;
  createdAt: string;
  closedAt: string | null;
  account: { id: string; name: string };
}
interface JourneyTouch {
  position: number;
  occurredAt: string;
  touchpoint: { id: string; kind: string };
  campaign: { id: string; name: string; channel: string } | null;
  roles: string[];
  heldRoles: string[];
  /** A decimal string (12 decimals); the journey's add up to 1. */
  weight: string;
  credit: string;
}
interface Journey {
  deal: Deal;
  touches: JourneyTouch[];
  /** What no campaign got (all of the amount when the journey is empty); null without credits. */
  unattributed: string | null;
  /** Whether the API gave credits (Opportunity.attribution), or only the contacts' touches. */
  credited: boolean;
  /** Why there are no credits although the API has them (e.g. a deal not won). */
  notice?: string;
}

interface DealsData {
  opportunities: { totalCount: number; edges: { node: { id: string; name: string; amount: string; closedAt: string; account: { name: string } } }[] };
}

/** Sums money strings exactly, in cents. */
export function sumCents(values: string[]): string {
  let total = 0n;
  for (const v of values) {
    const negative = v.startsWith('-');
    const [whole, fraction = ''] = v.replace('-', '').split('.');
    const c = BigInt(whole!) * 100n + BigInt((fraction + '00').slice(0, 2));
    total += negative ? -c : c;
  }
  const sign = total < 0n ? '-' : '';
  const abs = total < 0n ? -total : total;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Credits per deal exist for the rule-based models; the data-driven one is defined over all journeys only. */
const PER_DEAL_FALLBACK_MODEL = 'W_SHAPED';

function useJourney(apiKey: string, id: string, model: string, scope: string): QueryState<Journey> {
  const [state, setState] = useState<QueryState<Journey>>({ status: 'loading' });
  useEffect(() => {
    if (!id) return;
    const controller = new AbortController();
    setState({ status: 'loading' });
    (async (): Promise<Journey> => {
      try {
        const dealModel = model === 'DATA_DRIVEN' ? PER_DEAL_FALLBACK_MODEL : model;
        const d = await gql<{ opportunity: (Deal & { attribution: { amount: string; unattributed: string; touches: JourneyTouch[] } | null }) | null }>(apiKey, JOURNEY_QUERY, { id, model: dealModel, scope }, controller.signal);
        if (!d.opportunity) throw new GraphQLRequestError('This deal does not exist (any more).', 'NOT_FOUND', 200);
        const a = d.opportunity.attribution;
        const notice = [
          model === 'DATA_DRIVEN' ? `The data-driven model gives no credit per deal (it is defined over all journeys): the credits below are ${MODEL_LABELS.W_SHAPED}.` : '',
          a ? '' : 'This deal is not won: it has no revenue to share out.',
        ].filter(Boolean).join(' ');
        return { deal: d.opportunity, touches: a?.touches ?? [], unattributed: a?.unattributed ?? null, credited: a !== null, ...(notice ? { notice } : {}) };
      } catch (error) {
        if (!(error instanceof GraphQLRequestError) || error.code !== 'GRAPHQL_VALIDATION_FAILED') throw error;
      }
      const d = await gql<{ opportunity: (Deal & { contacts: { touchpoints: { edges: { node: { id: string; kind: string; occurredAt: string; campaign: JourneyTouch['campaign'] } }[] } }[] }) | null }>(apiKey, TOUCHES_QUERY, { id }, controller.signal);
      if (!d.opportunity) throw new GraphQLRequestError('This deal does not exist (any more).', 'NOT_FOUND', 200);
      const touches = d.opportunity.contacts
        .flatMap((c) => c.touchpoints.edges.map((e) => e.node))
        .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))
        .map((t, i) => ({ position: i + 1, occurredAt: t.occurredAt, touchpoint: { id: t.id, kind: t.kind }, campaign: t.campaign, roles: [], heldRoles: [], weight: '0', credit: '0.00' }));
      return { deal: d.opportunity, touches, unattributed: null, credited: false, notice: "This API does not give per-touch credits yet (Opportunity.attribution): the touches of the deal's contacts are shown without them." };
    })().then(
      (data) => !controller.signal.aborted && setState({ status: 'done', data }),
      (error: unknown) => !controller.signal.aborted && setState({ status: 'error', error: error instanceof GraphQLRequestError ? error : new GraphQLRequestError(String(error), undefined, 0) }),
    );
    return () => controller.abort();
  }, [apiKey, id, model, scope]);
  return state;
}

function JourneyTable({ journey, model }: { journey: Journey; model: string }) {
  const { deal, touches, credited, notice, unattributed } = journey;
  const total = sumCents(touches.map((t) => t.credit));
  return (
    <section className="panel" data-testid="journey">
      <h2>
        {deal.name} · {deal.account.name}
      </h2>
      <p>
        {label(deal.kind)}, {label(deal.stage)}
        {deal.closedAt ? ` on ${day(deal.closedAt)}` : ''}: <strong data-testid="deal-amount">{cents(deal.amount)}</strong>
      </p>
      {notice && (
        <p className="status" data-testid="journey-notice">
          {notice}
        </p>
      )}
      {touches.length === 0 ? (
        <Empty>{credited ? `No touch of this deal's journey falls in the lookback window: all of its amount (${cents(unattributed)}) is unattributed.` : 'No touch of this deal.'}</Empty>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="The deal's journey">
          <table data-testid="journey-table">
            <caption>{credited ? `Touch by touch, credit under ${MODEL_LABELS[model as keyof typeof MODEL_LABELS] ?? model}; roles in grey are not weighted by this model` : 'Touch by touch'}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Touch</th>
                <th scope="col">Campaign (channel)</th>
                {credited && (
                  <>
                    <th scope="col">Roles</th>
                    <th scope="col" className="num">Weight</th>
                    <th scope="col" className="num">Credit</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {touches.map((t, i) => (
                <tr key={t.touchpoint.id}>
                  <td>{t.position ?? i + 1}</td>
                  <td>{day(t.occurredAt)}</td>
                  <td>{label(t.touchpoint.kind)}</td>
                  <td className="wrap">
                    {t.campaign?.name ?? '—'} <span className="sub">({label(t.campaign?.channel)})</span>
                  </td>
                  {credited && (
                    <>
                      <td className="wrap">{t.heldRoles.length ? t.heldRoles.map(label).join(', ') : t.roles.length ? <span className="sub">{t.roles.map(label).join(', ')}</span> : '—'}</td>
                      <td className="num">{percent(Number(t.weight))}</td>
                      <td className="num" data-testid="journey-credit">
                        {cents(t.credit)}
                      </td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
            {credited && (
              <tfoot>
                <tr>
                  <th scope="row" colSpan={6}>
                    Total credited
                  </th>
                  <td className="num" data-testid="journey-total">
                    {cents(total)}
                  </td>
                </tr>
                {unattributed !== null && Number(unattributed) !== 0 && (
                  <tr>
                    <th scope="row" colSpan={6}>
                      Unattributed
                    </th>
                    <td className="num">{cents(unattributed)}</td>
                  </tr>
                )}
              </tfoot>
            )}
          </table>
        </div>
      )}
    </section>
  );
}

export function DealView({ apiKey, state, update }: ViewProps) {
  const w = windowOf(state);
  const [deals, retry] = useQuery<DealsData>(apiKey, DEALS_QUERY, { closed: { from: w.from, to: w.to } });
  const journey = useJourney(apiKey, state.deal, state.model, state.scope);
  return (
    <div className="grid-deal">
      <section className="panel">
        <h2>Deals won in the window</h2>
        <Loaded state={deals} retry={retry}>
          {(d) =>
            d.opportunities.edges.length ? (
              <ul className="deal-list" aria-label="Deals won, largest first">
                {d.opportunities.edges.map(({ node }) => (
                  <li key={node.id}>
                    <button type="button" aria-pressed={state.deal === node.id} onClick={() => update({ deal: node.id })}>
                      <span className="deal-name">{node.name}</span>
                      <span className="deal-meta">
                        {node.account.name} · {money(node.amount)} · {day(node.closedAt)}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <Empty>No deal was won in this window.</Empty>
            )
          }
        </Loaded>
      </section>
      {state.deal ? (
        <Loaded state={journey} retry={() => update({ deal: state.deal })}>
          {(j) => <JourneyTable journey={j} model={state.model === 'DATA_DRIVEN' ? 'W_SHAPED' : state.model} />}
        </Loaded>
      ) : (
        <section className="panel">
          <Empty>Choose a deal to see its journey, touch by touch, and the credit each touch earned.</Empty>
        </section>
      )}
    </div>
  );
}
