import {
  escapeText, formatCents, formatCentsOrNull, formatDay, formatTime, formatTimeOrNull, NULL, SECONDS_PER_DAY, textOrNull,
} from './copy-format';
import { REJECTION_REASONS } from './demo-catalog';
import { DemoPlan } from './demo-plan';
import { emitLeadTouches } from './demo-touches';
import {
  AccountModel, buildAccount, CUSTOMER, DISQUALIFIED, MQL, OPPORTUNITY, RECYCLED, SAL, segmentName, SQL, STAGES,
  STREAM_SPEND, STREAM_TOUCHES,
} from './demo-world';
import { Rng } from './prng';

/**
 * The demo data set as COPY text rows, table by table in foreign-key order. Rows are produced
 * lazily: each table's generator walks the accounts one at a time (rebuilding each from its
 * seed), so memory stays flat however many rows there are. Ids are explicit and dense.
 */

export interface DemoTable {
  table: string;
  columns: readonly string[];
  rows(plan: DemoPlan): Iterable<string>;
}

const DAY = SECONDS_PER_DAY;
const stageName = (stage: number): string => STAGES[stage] ?? 'NEW';

/** Walks the accounts in order with the id of each one's first lead (ids follow generation order). */
/** The accounts of the plan one at a time, with the id of each one's first lead (ids are dense). */
export function* eachAccount(plan: DemoPlan): Generator<{ index: number; account: AccountModel; firstLeadId: number }> {
  let nextLeadId = 1;
  for (let index = 0; index < plan.size.accounts; index++) {
    const account = buildAccount(plan, index);
    yield { index, account, firstLeadId: nextLeadId };
    nextLeadId += account.leads.length;
  }
}

function* userRows(plan: DemoPlan): Generator<string> {
  for (const u of plan.users) {
    yield `${u.id}\t${escapeText(u.name)}\t${u.email}\t${u.team}\t${formatTime(u.createdAt)}\n`;
  }
}

function* accountRows(plan: DemoPlan): Generator<string> {
  for (const { index, account: a } of eachAccount(plan)) {
    const created = formatTime(a.createdAt);
    yield `${index + 1}\t${escapeText(a.name)}\t${a.domain}\t${segmentName(a.segment)}\t${textOrNull(a.industry)}\t` +
      `${formatCentsOrNull(a.walletCents)}\t${a.ownerId}\t${created}\t${created}\t1\n`;
  }
}

function* campaignRows(plan: DemoPlan): Generator<string> {
  for (const c of plan.campaigns) {
    const created = formatTime(c.createdAt);
    const ends = c.endDay < 0 ? NULL : formatDay(c.endDay);
    yield `${c.id}\t${escapeText(c.name)}\t${c.channel}\t${c.ownerTeam}\t${formatDay(c.startDay)}\t${ends}\t` +
      `${formatCentsOrNull(c.budgetCents)}\t${created}\t${created}\t1\n`;
  }
}

/** One entry per day a campaign with a spend rate ran before the anchor, amounts varying day to day. */
export function* spendEntries(plan: DemoPlan): Generator<{ id: number; campaignId: number; day: number; cents: number }> {
  let id = 0;
  for (let index = 0; index < plan.campaigns.length; index++) {
    const c = plan.campaigns[index];
    if (!c || c.dailySpendCents <= 0) continue;
    const rng = new Rng(plan.seed, STREAM_SPEND, index);
    const last = c.endDay < 0 ? plan.anchorDay - 1 : Math.min(c.endDay, plan.anchorDay - 1);
    for (let day = c.startDay; day <= last; day++) {
      yield { id: ++id, campaignId: c.id, day, cents: Math.round(c.dailySpendCents * rng.range(0.5, 1.5)) };
    }
  }
}

function* spendRows(plan: DemoPlan): Generator<string> {
  for (const { id, campaignId, day, cents } of spendEntries(plan)) {
    yield `${id}\t${campaignId}\t${formatDay(day)}\t${formatCents(cents)}\t${formatTime(day * DAY + 23 * 3600)}\n`;
  }
}

function* leadRows(plan: DemoPlan): Generator<string> {
  for (const { index, account, firstLeadId } of eachAccount(plan)) {
    for (let i = 0; i < account.leads.length; i++) {
      const l = account.leads[i];
      if (!l) continue;
      const r = l.reached;
      const updated = l.events[l.events.length - 1]?.at ?? l.createdAt;
      yield `${firstLeadId + i}\t${l.email}\t${l.firstName}\t${l.lastName}\t${l.title}\t${index + 1}\t${stageName(l.stage)}\t` +
        `${formatTime(l.createdAt)}\t${formatTimeOrNull(r[MQL] ?? -1)}\t${formatTimeOrNull(r[SAL] ?? -1)}\t` +
        `${formatTimeOrNull(r[SQL] ?? -1)}\t${formatTimeOrNull(r[OPPORTUNITY] ?? -1)}\t${formatTimeOrNull(r[CUSTOMER] ?? -1)}\t` +
        `${formatTimeOrNull(r[RECYCLED] ?? -1)}\t${formatTimeOrNull(r[DISQUALIFIED] ?? -1)}\t${formatTime(updated)}\t${l.events.length}\n`;
    }
  }
}

function* stageChangeRows(plan: DemoPlan): Generator<string> {
  let id = 0;
  for (const { account, firstLeadId } of eachAccount(plan)) {
    for (let i = 0; i < account.leads.length; i++) {
      for (const e of account.leads[i]?.events ?? []) {
        const from = e.from < 0 ? NULL : stageName(e.from);
        yield `${++id}\t${firstLeadId + i}\t${from}\t${stageName(e.to)}\t${formatTime(e.at)}\t${e.by > 0 ? e.by : NULL}\n`;
      }
    }
  }
}

function* touchpointRows(plan: DemoPlan): Generator<string> {
  let id = 0;
  const buffer: string[] = [];
  for (const { index, account, firstLeadId } of eachAccount(plan)) {
    const rng = new Rng(plan.seed, STREAM_TOUCHES, index);
    for (let i = 0; i < account.leads.length; i++) {
      const lead = account.leads[i];
      if (!lead) continue;
      const leadId = firstLeadId + i;
      emitLeadTouches(plan, rng, lead, (campaign, kind, at) => {
        const time = formatTime(at);
        buffer.push(`${++id}\t${leadId}\t${campaign + 1}\t${kind}\t${time}\t${time}\n`);
      });
      yield* buffer;
      buffer.length = 0;
    }
  }
}

/** The name of a demo opportunity (the same in the COPY load and the CSV bundle). */
export function opportunityName(account: AccountModel, kind: string, createdAt: number): string {
  if (kind === 'NEW_BUSINESS') return `${account.name} - New business`;
  if (kind === 'EXPANSION') return `${account.name} - Expansion`;
  return `${account.name} - Renewal ${new Date((createdAt + 90 * DAY) * 1000).getUTCFullYear()}`;
}

function* opportunityRows(plan: DemoPlan): Generator<string> {
  let id = 0;
  for (const { index, account } of eachAccount(plan)) {
    for (const o of account.opportunities) {
      const closed = o.closedAt >= 0;
      yield `${++id}\t${index + 1}\t${escapeText(opportunityName(account, o.kind, o.createdAt))}\t${o.kind}\t${o.stage}\t` +
        `${formatCents(o.amountCents)}\t${account.ownerId}\t${textOrNull(o.lostReason)}\t${formatTime(o.createdAt)}\t` +
        `${formatTimeOrNull(o.closedAt)}\t${formatTime(closed ? o.closedAt : o.createdAt)}\t${closed ? 3 : 1}\n`;
    }
  }
}

function* opportunityContactRows(plan: DemoPlan): Generator<string> {
  let id = 0;
  for (const { account, firstLeadId } of eachAccount(plan)) {
    for (const o of account.opportunities) {
      id++;
      for (const c of o.contacts) yield `${id}\t${firstLeadId + c}\n`;
    }
  }
}

function* feedbackRows(plan: DemoPlan): Generator<string> {
  let id = 0;
  for (const { account, firstLeadId } of eachAccount(plan)) {
    for (let i = 0; i < account.leads.length; i++) {
      const l = account.leads[i];
      if (!l || l.feedback < 0) continue;
      const reason = l.feedback === 0 ? NULL : (REJECTION_REASONS[l.feedback - 1] ?? 'OTHER');
      yield `${++id}\t${firstLeadId + i}\t${account.ownerId}\t${l.feedback === 0 ? 'ACCEPTED' : 'REJECTED'}\t${reason}\t` +
        `${escapeText(l.feedbackNote)}\t${formatTime(l.feedbackAt)}\n`;
    }
  }
}

const SCORING_RULES = JSON.stringify([
  { attribute: 'title', condition: 'VP, Head, Director or C-level', points: 20 },
  { attribute: 'segment', condition: 'MID_MARKET or ENTERPRISE', points: 15 },
  { attribute: 'formFill', condition: 'pricing or demo request page', points: 30 },
  { attribute: 'webinarAttended', condition: 'any in the last 90 days', points: 10 },
  { attribute: 'emailOpens', condition: '3 or more in 30 days', points: 5 },
  { attribute: 'emailDomain', condition: 'free mail provider', points: -25 },
]);

/** Version 1 approved by both teams before the data starts; version 2 proposed lately, awaiting sales. */
function* agreementRows(plan: DemoPlan): Generator<string> {
  const marketing = plan.marketingUserIds[0] ?? 1;
  const sales = plan.salesUserIds[0] ?? 1;
  // about what marketing delivers a month: ~half the leads become MQLs over ~25 months (more lately)
  const target = Math.max(5, Math.round((plan.size.accounts * plan.size.leadsPerAccount * 0.5) / 25 / 5) * 5);
  const effective = (plan.startDay - 30) * DAY;
  yield `1\t1\t${formatTime(effective)}\t60\t${escapeText(SCORING_RULES)}\t24.00\t${target}\t` +
    `${escapeText('Shared lead definition and SLA signed by marketing and sales.')}\t${marketing}\t` +
    `${formatTime(effective - 14 * DAY)}\t${marketing}\t${formatTime(effective - 10 * DAY)}\t${sales}\t${formatTime(effective - 7 * DAY)}\n`;
  const proposed = (plan.anchorDay - 12) * DAY + 10 * 3600;
  yield `2\t2\t${formatTime((plan.anchorDay + 30) * DAY)}\t65\t${escapeText(SCORING_RULES)}\t12.00\t${Math.round(target * 1.1)}\t` +
    `${escapeText('Proposal: faster follow-up, higher MQL volume. Awaiting sales approval.')}\t${marketing}\t` +
    `${formatTime(proposed)}\t${marketing}\t${formatTime(proposed + 2 * DAY)}\t${NULL}\t${NULL}\n`;
}

/** Every table of the demo, in an order that satisfies the foreign keys. */
export const DEMO_TABLES: readonly DemoTable[] = [
  { table: 'users', columns: ['id', 'name', 'email', 'team', 'created_at'], rows: userRows },
  {
    table: 'accounts',
    columns: ['id', 'name', 'domain', 'segment', 'industry', 'wallet_size', 'owner_id', 'created_at', 'updated_at', 'version'],
    rows: accountRows,
  },
  {
    table: 'campaigns',
    columns: ['id', 'name', 'channel', 'owner_team', 'starts_on', 'ends_on', 'budget', 'created_at', 'updated_at', 'version'],
    rows: campaignRows,
  },
  { table: 'campaign_spend', columns: ['id', 'campaign_id', 'spent_on', 'amount', 'created_at'], rows: spendRows },
  {
    table: 'leads',
    columns: [
      'id', 'email', 'first_name', 'last_name', 'title', 'account_id', 'stage', 'created_at', 'mql_at', 'sal_at', 'sql_at',
      'opportunity_at', 'customer_at', 'recycled_at', 'disqualified_at', 'updated_at', 'version',
    ],
    rows: leadRows,
  },
  {
    table: 'lead_stage_changes',
    columns: ['id', 'lead_id', 'from_stage', 'to_stage', 'changed_at', 'changed_by_id'],
    rows: stageChangeRows,
  },
  { table: 'touchpoints', columns: ['id', 'lead_id', 'campaign_id', 'kind', 'occurred_at', 'created_at'], rows: touchpointRows },
  {
    table: 'opportunities',
    columns: ['id', 'account_id', 'name', 'kind', 'stage', 'amount', 'owner_id', 'lost_reason', 'created_at', 'closed_at', 'updated_at', 'version'],
    rows: opportunityRows,
  },
  { table: 'opportunity_contacts', columns: ['opportunity_id', 'lead_id'], rows: opportunityContactRows },
  {
    table: 'lead_feedback',
    columns: ['id', 'lead_id', 'given_by_id', 'disposition', 'reason', 'note', 'given_at'],
    rows: feedbackRows,
  },
  {
    table: 'alignment_agreements',
    columns: [
      'id', 'version', 'effective_from', 'mql_threshold', 'scoring_rules', 'follow_up_hours', 'monthly_mql_target', 'notes',
      'proposed_by_id', 'created_at', 'marketing_approved_by_id', 'marketing_approved_at', 'sales_approved_by_id', 'sales_approved_at',
    ],
    rows: agreementRows,
  },
];
