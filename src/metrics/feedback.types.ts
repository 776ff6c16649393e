import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { Channel, RejectionReason } from '../common/enums';
import { ReportWindowInput } from './metric-args';

@InputType('LeadFeedbackSummaryInput', { description: 'Which feedback to summarise: given in a half-open window.' })
export class LeadFeedbackSummaryInput {
  @Field(() => ReportWindowInput, { description: 'Half-open window on givenAt: from <= t < to (UTC).' })
  window: ReportWindowInput;
}

@ObjectType('RejectionReasonCount', { description: 'How often sales rejected leads for one reason.' })
export class RejectionReasonCount {
  @Field(() => RejectionReason, { description: 'The reason code.' })
  reason: RejectionReason;

  @Field(() => Int, { description: 'Rejections with this reason.' })
  count: number;
}

@ObjectType('LeadFeedbackCounts', { description: 'Feedback entries of a group, by disposition and rejection reason.' })
export class LeadFeedbackCounts {
  @Field(() => Int, { description: 'Feedback entries given in the window (a lead reviewed twice counts twice).' })
  feedbackCount: number;

  @Field(() => Int, { description: 'Entries that accepted the lead.' })
  accepted: number;

  @Field(() => Int, { description: 'Entries that rejected the lead.' })
  rejected: number;

  @Field(() => Float, { nullable: true, description: 'rejected / (accepted + rejected); null when there is no feedback.' })
  rejectionRate: number | null;

  @Field(() => [RejectionReasonCount], { description: 'Rejections per reason, every reason listed (zeros included), in enum order.' })
  reasons: RejectionReasonCount[];
}

@ObjectType('CampaignLeadFeedback', { description: "Feedback on the leads first touched by one campaign (the lead's first touch ever)." })
export class CampaignLeadFeedback extends LeadFeedbackCounts {
  /** Database id of the campaign; null for leads without any touch. */
  campaignId: string | null;

  @Field(() => Channel, { nullable: true, description: 'Channel of the campaign; null for leads without any touch.' })
  channel: Channel | null;
}

@ObjectType('ChannelLeadFeedback', { description: "Feedback on the leads whose first touch ever was in one channel." })
export class ChannelLeadFeedback extends LeadFeedbackCounts {
  @Field(() => Channel, { nullable: true, description: 'The channel; null for leads without any touch.' })
  channel: Channel | null;
}

@ObjectType('LeadFeedbackSummary', {
  description: "The closed loop: sales' verdicts on leads given in a window, by campaign and channel of the lead's first touch.",
})
export class LeadFeedbackSummary {
  @Field({ description: 'Start of the window on givenAt (included).' })
  from: Date;

  @Field({ description: 'End of the window on givenAt (excluded).' })
  to: Date;

  @Field(() => LeadFeedbackCounts, { description: 'All feedback of the window.' })
  total: LeadFeedbackCounts;

  @Field(() => [CampaignLeadFeedback], {
    description: 'One row per first-touch campaign (by campaign id; leads without touches last); rows add up to `total`.',
  })
  byCampaign: CampaignLeadFeedback[];

  @Field(() => [ChannelLeadFeedback], {
    description: 'One row per first-touch channel (by channel; leads without touches last); rows add up to `total`.',
  })
  byChannel: ChannelLeadFeedback[];
}
