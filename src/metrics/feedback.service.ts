import { metricQuery } from '../db/metric-work';
import { Channel, RejectionReason } from '../common/enums';
import type { Context } from '../graphql/context';
import { LEAD_FEEDBACK_SQL } from './feedback.sql';
import { CampaignLeadFeedback, ChannelLeadFeedback, LeadFeedbackCounts, LeadFeedbackSummary, LeadFeedbackSummaryInput } from './feedback.types';

type FeedbackSqlRow = {
  level: 'TOTAL' | 'CHANNEL' | 'CAMPAIGN';
  campaignId: string | null;
  channel: Channel | null;
  feedbackCount: number;
  accepted: number;
  rejected: number;
} & Record<RejectionReason, number>;

const REASONS = Object.values(RejectionReason);

function counts(row: FeedbackSqlRow | undefined): LeadFeedbackCounts {
  const accepted = row?.accepted ?? 0;
  const rejected = row?.rejected ?? 0;
  return {
    feedbackCount: row?.feedbackCount ?? 0,
    accepted,
    rejected,
    rejectionRate: accepted + rejected === 0 ? null : rejected / (accepted + rejected),
    reasons: REASONS.map((reason) => ({ reason, count: row?.[reason] ?? 0 })),
  };
}

/** Sales' feedback of a window by disposition and reason, in total and per first-touch campaign and channel (one statement). */
export async function leadFeedbackSummary(ctx: Pick<Context, 'ds'>, input: LeadFeedbackSummaryInput): Promise<LeadFeedbackSummary> {
  const rows: FeedbackSqlRow[] = await metricQuery(ctx, LEAD_FEEDBACK_SQL, [input.window.from, input.window.to]);
  const byCampaign: CampaignLeadFeedback[] = [];
  const byChannel: ChannelLeadFeedback[] = [];
  let total: FeedbackSqlRow | undefined;
  for (const row of rows) {
    if (row.level === 'TOTAL') total = row;
    else if (row.level === 'CHANNEL') byChannel.push({ channel: row.channel, ...counts(row) });
    else byCampaign.push({ campaignId: row.campaignId, channel: row.channel, ...counts(row) });
  }
  return { from: input.window.from, to: input.window.to, total: counts(total), byCampaign, byChannel };
}
