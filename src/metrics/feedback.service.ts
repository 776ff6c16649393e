import { metricQuery } from '../db/metric-work';
import { Channel, RejectionReason } from '../common/enums';
import type { Context } from '../graphql/context';
import { CampaignLeadFeedback, ChannelLeadFeedback, LeadFeedbackCounts, LeadFeedbackSummary, LeadFeedbackSummaryInput } from './feedback.types';

const REASONS = Object.values(RejectionReason);

/**
 * Feedback given in the window by disposition and reason, in total, per channel and per campaign
 * of the lead's first touch ever: bi.feedback_summary (sql/bi/feedback.sql), the one definition
 * that SQL callers (BI roles) run too. A reason's column is its code in lower case.
 */
export const LEAD_FEEDBACK_SQL = `
SELECT level, campaign_id::text AS "campaignId", channel, feedback_count AS "feedbackCount", accepted, rejected,
       rejection_rate AS "rejectionRate", ${REASONS.map((reason) => `${reason.toLowerCase()} AS "${reason}"`).join(', ')}
FROM bi.feedback_summary($1::timestamptz, $2::timestamptz)`;

type FeedbackSqlRow = {
  level: 'TOTAL' | 'CHANNEL' | 'CAMPAIGN';
  campaignId: string | null;
  channel: Channel | null;
  feedbackCount: number;
  accepted: number;
  rejected: number;
  rejectionRate: number | null;
} & Record<RejectionReason, number>;

function counts(row: FeedbackSqlRow): LeadFeedbackCounts {
  return {
    feedbackCount: row.feedbackCount,
    accepted: row.accepted,
    rejected: row.rejected,
    rejectionRate: row.rejectionRate,
    reasons: REASONS.map((reason) => ({ reason, count: row[reason] })),
  };
}

/** Sales' feedback of a window by disposition and reason, in total and per first-touch campaign and channel (one statement). */
export async function leadFeedbackSummary(ctx: Pick<Context, 'ds'>, input: LeadFeedbackSummaryInput): Promise<LeadFeedbackSummary> {
  const rows: FeedbackSqlRow[] = await metricQuery(ctx, LEAD_FEEDBACK_SQL, [input.window.from, input.window.to]);
  const byCampaign: CampaignLeadFeedback[] = [];
  const byChannel: ChannelLeadFeedback[] = [];
  let total: LeadFeedbackCounts | undefined;
  for (const row of rows) {
    if (row.level === 'TOTAL') total = counts(row);
    else if (row.level === 'CHANNEL') byChannel.push({ channel: row.channel, ...counts(row) });
    else byCampaign.push({ campaignId: row.campaignId, channel: row.channel, ...counts(row) });
  }
  if (!total) throw new Error('bi.feedback_summary returned no total');
  return { from: input.window.from, to: input.window.to, total, byCampaign, byChannel };
}
