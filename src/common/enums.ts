import { registerEnumType } from 'type-graphql';

export enum Team {
  MARKETING = 'MARKETING',
  SALES = 'SALES',
  REVENUE_OPS = 'REVENUE_OPS',
  EXECUTIVE = 'EXECUTIVE',
}

export enum Segment {
  SMB = 'SMB',
  MID_MARKET = 'MID_MARKET',
  ENTERPRISE = 'ENTERPRISE',
}

export enum LeadStage {
  NEW = 'NEW',
  MQL = 'MQL',
  SAL = 'SAL',
  SQL = 'SQL',
  OPPORTUNITY = 'OPPORTUNITY',
  CUSTOMER = 'CUSTOMER',
  RECYCLED = 'RECYCLED',
  DISQUALIFIED = 'DISQUALIFIED',
}

/** The forward funnel, in order; RECYCLED and DISQUALIFIED sit outside it. */
export const FUNNEL_STAGES: readonly LeadStage[] = [
  LeadStage.NEW,
  LeadStage.MQL,
  LeadStage.SAL,
  LeadStage.SQL,
  LeadStage.OPPORTUNITY,
  LeadStage.CUSTOMER,
];

export enum Channel {
  PAID_SEARCH = 'PAID_SEARCH',
  PAID_SOCIAL = 'PAID_SOCIAL',
  EMAIL = 'EMAIL',
  EVENT = 'EVENT',
  WEBINAR = 'WEBINAR',
  CONTENT = 'CONTENT',
  DIRECT_MAIL = 'DIRECT_MAIL',
  REFERRAL = 'REFERRAL',
  ORGANIC = 'ORGANIC',
  OUTBOUND = 'OUTBOUND',
  PARTNER = 'PARTNER',
}

export enum OwnerTeam {
  MARKETING = 'MARKETING',
  SALES = 'SALES',
}

export enum TouchpointKind {
  AD_CLICK = 'AD_CLICK',
  AD_VIEW = 'AD_VIEW',
  EMAIL_OPEN = 'EMAIL_OPEN',
  EMAIL_CLICK = 'EMAIL_CLICK',
  FORM_FILL = 'FORM_FILL',
  WEB_VISIT = 'WEB_VISIT',
  EVENT_ATTENDED = 'EVENT_ATTENDED',
  WEBINAR_ATTENDED = 'WEBINAR_ATTENDED',
  CONTENT_DOWNLOAD = 'CONTENT_DOWNLOAD',
  MEETING = 'MEETING',
  CALL = 'CALL',
  DIRECT_MAIL_RESPONSE = 'DIRECT_MAIL_RESPONSE',
  REFERRAL = 'REFERRAL',
  OTHER = 'OTHER',
}

export enum OpportunityKind {
  NEW_BUSINESS = 'NEW_BUSINESS',
  EXPANSION = 'EXPANSION',
  RENEWAL = 'RENEWAL',
}

export enum OpportunityStage {
  PROSPECTING = 'PROSPECTING',
  QUALIFICATION = 'QUALIFICATION',
  PROPOSAL = 'PROPOSAL',
  NEGOTIATION = 'NEGOTIATION',
  CLOSED_WON = 'CLOSED_WON',
  CLOSED_LOST = 'CLOSED_LOST',
}

export const CLOSED_STAGES: readonly OpportunityStage[] = [OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST];

export enum FeedbackDisposition {
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
}

export enum RejectionReason {
  BAD_FIT = 'BAD_FIT',
  NO_BUDGET = 'NO_BUDGET',
  BAD_TIMING = 'BAD_TIMING',
  DUPLICATE = 'DUPLICATE',
  UNREACHABLE = 'UNREACHABLE',
  ALREADY_CUSTOMER = 'ALREADY_CUSTOMER',
  OTHER = 'OTHER',
}

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

registerEnumType(Team, { name: 'Team', description: 'The team a user works in.' });
registerEnumType(Segment, { name: 'Segment', description: 'Market segment of an account, by size.' });
registerEnumType(LeadStage, {
  name: 'LeadStage',
  description: 'Lifecycle stage of a lead: NEW → MQL → SAL → SQL → OPPORTUNITY → CUSTOMER, or RECYCLED / DISQUALIFIED.',
  valuesConfig: {
    NEW: { description: 'Known, not yet qualified by marketing.' },
    MQL: { description: 'Marketing-qualified: meets the agreed scoring threshold.' },
    SAL: { description: 'Sales-accepted: sales has taken the lead on.' },
    SQL: { description: 'Sales-qualified: sales confirms a real buying intent.' },
    OPPORTUNITY: { description: 'Part of an open opportunity.' },
    CUSTOMER: { description: 'Part of a won opportunity.' },
    RECYCLED: { description: 'Handed back to marketing for nurturing.' },
    DISQUALIFIED: { description: 'Not a fit; out of the funnel.' },
  },
});
registerEnumType(Channel, { name: 'Channel', description: 'Marketing or sales channel of a campaign.' });
registerEnumType(OwnerTeam, { name: 'OwnerTeam', description: 'The team that runs a campaign.' });
registerEnumType(TouchpointKind, { name: 'TouchpointKind', description: 'What kind of interaction a touchpoint was.' });
registerEnumType(OpportunityKind, { name: 'OpportunityKind', description: 'New logo, expansion of an existing customer, or renewal.' });
registerEnumType(OpportunityStage, { name: 'OpportunityStage', description: 'Sales stage of an opportunity; CLOSED_WON and CLOSED_LOST are final.' });
registerEnumType(FeedbackDisposition, { name: 'FeedbackDisposition', description: "Sales' verdict on a lead handed over by marketing." });
registerEnumType(RejectionReason, { name: 'RejectionReason', description: 'Why sales rejected a lead.' });
registerEnumType(SortDirection, { name: 'SortDirection', description: 'Ascending or descending order.' });
