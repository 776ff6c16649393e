import { Cell, domainOfUrl, firstOf, segmentOfEmployees } from './derive';
import type { Preset } from './preset';

/**
 * The default export headers of HubSpot (contacts, companies, deals) and Salesforce
 * (opportunities; the other Salesforce objects are in salesforce.ts), with their stage values
 * mapped to ours. Headers not named here are ignored.
 */

const HUBSPOT_LIFECYCLE: Record<string, string> = {
  subscriber: 'NEW',
  lead: 'NEW',
  other: 'NEW',
  marketingqualifiedlead: 'MQL',
  'marketing qualified lead': 'MQL',
  salesqualifiedlead: 'SQL',
  'sales qualified lead': 'SQL',
  opportunity: 'OPPORTUNITY',
  customer: 'CUSTOMER',
  evangelist: 'CUSTOMER',
};

export const hubspotContacts: Preset = {
  name: 'hubspot-contacts',
  kind: 'leads',
  description: 'HubSpot contacts export',
  columns: {
    'Record ID': 'externalId',
    Email: 'email',
    'First Name': 'firstName',
    'Last Name': 'lastName',
    'Job Title': 'title',
    'Lifecycle Stage': 'stage',
    'Create Date': 'createdAt',
    'Became a Marketing Qualified Lead Date': 'mqlAt',
    'Became a Sales Qualified Lead Date': 'sqlAt',
    'Became an Opportunity Date': 'opportunityAt',
    'Became a Customer Date': 'customerAt',
  },
  values: { stage: HUBSPOT_LIFECYCLE },
};

export const hubspotCompanies: Preset = {
  name: 'hubspot-companies',
  kind: 'accounts',
  description: 'HubSpot companies export; segment from Number of Employees',
  columns: {
    'Record ID': 'externalId',
    'Company name': 'name',
    'Company Domain Name': 'domain',
    Industry: 'industry',
    'Create Date': 'createdAt',
  },
  derive: (cell: Cell) => ({
    // without a Company Domain Name, the domain of the Website URL
    domain: domainOfUrl(firstOf(cell, 'Website URL')),
    segment: segmentOfEmployees(firstOf(cell, 'Number of Employees')),
  }),
};

export const hubspotDeals: Preset = {
  name: 'hubspot-deals',
  kind: 'opportunities',
  description: 'HubSpot deals export (default pipeline)',
  columns: {
    'Record ID': 'externalId',
    'Deal Name': 'name',
    'Deal Stage': 'stage',
    Amount: 'amount',
    'Create Date': 'createdAt',
    'Close Date': 'closeDate',
    'Deal Type': 'kind',
    'Closed Lost Reason': 'lostReason',
  },
  values: {
    stage: {
      appointmentscheduled: 'PROSPECTING',
      'appointment scheduled': 'PROSPECTING',
      qualifiedtobuy: 'QUALIFICATION',
      'qualified to buy': 'QUALIFICATION',
      presentationscheduled: 'PROPOSAL',
      'presentation scheduled': 'PROPOSAL',
      decisionmakerboughtin: 'PROPOSAL',
      'decision maker bought-in': 'PROPOSAL',
      contractsent: 'NEGOTIATION',
      'contract sent': 'NEGOTIATION',
      closedwon: 'CLOSED_WON',
      'closed won': 'CLOSED_WON',
      closedlost: 'CLOSED_LOST',
      'closed lost': 'CLOSED_LOST',
    },
    kind: { newbusiness: 'NEW_BUSINESS', 'new business': 'NEW_BUSINESS', existingbusiness: 'EXPANSION', 'existing business': 'EXPANSION' },
  },
};

export const salesforceOpportunities: Preset = {
  name: 'salesforce-opportunities',
  kind: 'opportunities',
  description: 'Salesforce Opportunity export (API field names or labels)',
  columns: {
    Id: 'externalId',
    'Opportunity ID': 'externalId',
    AccountId: 'accountExternalId',
    'Account ID': 'accountExternalId',
    Name: 'name',
    'Opportunity Name': 'name',
    StageName: 'stage',
    Stage: 'stage',
    Amount: 'amount',
    CloseDate: 'closeDate',
    'Close Date': 'closeDate',
    CreatedDate: 'createdAt',
    'Created Date': 'createdAt',
    Type: 'kind',
    'Opportunity Type': 'kind',
  },
  values: {
    stage: {
      prospecting: 'PROSPECTING',
      qualification: 'QUALIFICATION',
      'needs analysis': 'QUALIFICATION',
      'value proposition': 'PROPOSAL',
      'id. decision makers': 'PROPOSAL',
      'perception analysis': 'PROPOSAL',
      'proposal/price quote': 'PROPOSAL',
      'negotiation/review': 'NEGOTIATION',
      'closed won': 'CLOSED_WON',
      'closed lost': 'CLOSED_LOST',
    },
    kind: {
      'new business': 'NEW_BUSINESS',
      'new customer': 'NEW_BUSINESS',
      'existing business': 'EXPANSION',
      'existing customer - upgrade': 'EXPANSION',
      'existing customer - replacement': 'RENEWAL',
      'existing customer - downgrade': 'RENEWAL',
    },
  },
};
