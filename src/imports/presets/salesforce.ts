import { Cell, domainOfUrl, firstOf, segmentOfEmployees } from './derive';
import type { Preset } from './preset';

/**
 * Salesforce exports of leads, contacts, accounts, campaigns and campaign members. Headers are
 * the API field names, as Data Loader, Data Export and SOQL tools write them (any case: Data
 * Loader writes "EMAIL"), or the standard field labels of a report export ("Lead ID", "First
 * Name"...). Times and dates must be ISO 8601 (a Data Loader export is).
 */

/** Lead Status: the standard picklist, then common custom values. */
const LEAD_STATUS: Record<string, string> = {
  'open - not contacted': 'NEW',
  'working - contacted': 'SAL',
  'closed - converted': 'SQL',
  'closed - not converted': 'DISQUALIFIED',
  new: 'NEW',
  open: 'NEW',
  'marketing qualified': 'MQL',
  mql: 'MQL',
  working: 'SAL',
  contacted: 'SAL',
  qualified: 'SQL',
  converted: 'SQL',
  nurturing: 'RECYCLED',
  recycled: 'RECYCLED',
  unqualified: 'DISQUALIFIED',
  disqualified: 'DISQUALIFIED',
};

/** Campaign Type (the standard picklist) -> our channel. */
export const CAMPAIGN_TYPE: Record<string, string> = {
  conference: 'EVENT',
  'trade show': 'EVENT',
  webinar: 'WEBINAR',
  'public relations': 'CONTENT',
  partners: 'PARTNER',
  'referral program': 'REFERRAL',
  advertisement: 'PAID_SEARCH',
  'banner ads': 'PAID_SOCIAL',
  'direct mail': 'DIRECT_MAIL',
  email: 'EMAIL',
  telemarketing: 'OUTBOUND',
  other: 'ORGANIC',
};

/** CampaignMember Status (the default "Sent"/"Responded" and common custom values) -> our touchpoint kind. */
const MEMBER_STATUS: Record<string, string> = {
  sent: 'OTHER',
  responded: 'OTHER',
  opened: 'EMAIL_OPEN',
  clicked: 'EMAIL_CLICK',
  registered: 'FORM_FILL',
  attended: 'EVENT_ATTENDED',
  'attended webinar': 'WEBINAR_ATTENDED',
  'no show': 'OTHER',
  downloaded: 'CONTENT_DOWNLOAD',
  'meeting booked': 'MEETING',
};

const person = {
  FirstName: 'firstName',
  'First Name': 'firstName',
  LastName: 'lastName',
  'Last Name': 'lastName',
  Email: 'email',
  Title: 'title',
  CreatedDate: 'createdAt',
  'Created Date': 'createdAt',
};

export const salesforceLeads: Preset = {
  name: 'salesforce-leads',
  kind: 'leads',
  description: 'Salesforce Lead export (API names or labels)',
  columns: { ...person, Id: 'externalId', 'Lead ID': 'externalId', Status: 'stage', 'Lead Status': 'stage', ConvertedDate: 'sqlAt', 'Converted Date': 'sqlAt' },
  values: { stage: LEAD_STATUS },
};

export const salesforceContacts: Preset = {
  name: 'salesforce-contacts',
  kind: 'leads',
  description: 'Salesforce Contact export (API names or labels)',
  columns: { ...person, Id: 'externalId', 'Contact ID': 'externalId', AccountId: 'accountExternalId', 'Account ID': 'accountExternalId' },
};

export const salesforceAccounts: Preset = {
  name: 'salesforce-accounts',
  kind: 'accounts',
  description: 'Salesforce Account export (API names or labels); domain from Website, segment from NumberOfEmployees',
  columns: { Id: 'externalId', 'Account ID': 'externalId', Name: 'name', 'Account Name': 'name', Industry: 'industry', CreatedDate: 'createdAt', 'Created Date': 'createdAt' },
  derive: (cell: Cell) => ({
    domain: domainOfUrl(firstOf(cell, 'Website')),
    segment: segmentOfEmployees(firstOf(cell, 'NumberOfEmployees', 'Employees')),
  }),
};

export const salesforceCampaigns: Preset = {
  name: 'salesforce-campaigns',
  kind: 'campaigns',
  description: 'Salesforce Campaign export (API names or labels); owner team MARKETING',
  columns: {
    Id: 'externalId',
    'Campaign ID': 'externalId',
    Name: 'name',
    'Campaign Name': 'name',
    Type: 'channel',
    EndDate: 'endsOn',
    'End Date': 'endsOn',
    BudgetedCost: 'budget',
    'Budgeted Cost in Campaign': 'budget',
    'Budgeted Cost': 'budget',
    CreatedDate: 'createdAt',
    'Created Date': 'createdAt',
  },
  values: { channel: CAMPAIGN_TYPE },
  derive: (cell: Cell) => ({
    ownerTeam: 'MARKETING',
    // a campaign without a StartDate started when it was created
    startsOn: firstOf(cell, 'StartDate', 'Start Date', 'CreatedDate', 'Created Date'),
  }),
};

export const salesforceCampaignMembers: Preset = {
  name: 'salesforce-campaign-members',
  kind: 'touchpoints',
  description: 'Salesforce CampaignMember export (API names or labels), one touchpoint per member',
  columns: { Id: 'externalId', 'Campaign Member ID': 'externalId', CampaignId: 'campaignExternalId', 'Campaign ID': 'campaignExternalId', Status: 'kind', 'Member Status': 'kind' },
  values: { kind: MEMBER_STATUS },
  derive: (cell: Cell) => ({
    // a member is a lead or a contact; both are leads here, by their Salesforce id
    leadExternalId: firstOf(cell, 'LeadId', 'Lead ID', 'ContactId', 'Contact ID', 'LeadOrContactId', 'Lead/Contact ID'),
    occurredAt: firstOf(cell, 'FirstRespondedDate', 'First Responded Date', 'CreatedDate', 'Created Date'),
  }),
};
