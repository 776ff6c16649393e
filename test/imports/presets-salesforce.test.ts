import { createTestDatabase, TestDatabase } from '../helpers/db';
import { counts, importText } from './engine-helpers';

/** Data Loader exports: API field names, upper case, ISO times; one report export with field labels. */
describe('Salesforce presets', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('imports an Account export, the domain from Website and the segment from NumberOfEmployees', async () => {
    const file = [
      '"ID","NAME","TYPE","WEBSITE","INDUSTRY","ANNUALREVENUE","NUMBEROFEMPLOYEES","OWNERID","CREATEDDATE"',
      '"0015g00000AcmeAAA","Acme","Customer - Direct","https://www.acme.com/","Technology","5000000","1200","0055g000001","2024-01-05T09:00:00.000Z"',
      '"0015g00000BetaAAA","Beta","Prospect","beta.io","","","40","0055g000001","2024-01-06T09:00:00.000Z"',
    ].join('\r\n');
    expect(await importText(db.ds, file, { kind: 'accounts', preset: 'salesforce-accounts' })).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
    expect(await db.sql(`SELECT external_id, name, domain, segment, industry FROM accounts ORDER BY 1`)).toEqual([
      { external_id: '0015g00000AcmeAAA', name: 'Acme', domain: 'acme.com', segment: 'ENTERPRISE', industry: 'Technology' },
      { external_id: '0015g00000BetaAAA', name: 'Beta', domain: 'beta.io', segment: 'SMB', industry: null },
    ]);
  });

  it('imports a Contact export onto its accounts', async () => {
    const file = [
      'Id,AccountId,FirstName,LastName,Email,Title,LeadSource,CreatedDate',
      '0035g00000C1,0015g00000AcmeAAA,Cara,Cole,cara@acme.com,VP Marketing,Web,2024-02-01T10:00:00.000+0000',
      '0035g00000C2,0015g00000BetaAAA,Dan,Diaz,dan@beta.io,,Partner Referral,2024-02-02T10:00:00.000+0000',
    ].join('\n');
    expect(await importText(db.ds, file, { kind: 'leads', preset: 'salesforce-contacts' })).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
    expect(await db.sql(`SELECT l.external_id, a.external_id AS account, l.stage FROM leads l JOIN accounts a ON a.id = l.account_id ORDER BY 1`)).toEqual([
      { external_id: '0035g00000C1', account: '0015g00000AcmeAAA', stage: 'NEW' },
      { external_id: '0035g00000C2', account: '0015g00000BetaAAA', stage: 'NEW' },
    ]);
  });

  it('imports a Lead export, Lead Status mapped to stages', async () => {
    const file = [
      'Id,FirstName,LastName,Company,Title,Email,Status,LeadSource,IsConverted,ConvertedDate,CreatedDate',
      '00Q5g00001L1,Eve,Ek,Eko Ltd,CTO,eve@eko.example,Open - Not Contacted,Web,false,,2024-03-01T10:00:00.000+0000',
      '00Q5g00001L2,Finn,Fox,Fox AG,,finn@fox.example,Working - Contacted,Webinar,false,,2024-03-02T10:00:00.000+0000',
      '00Q5g00001L3,Gia,Gray,Gray Inc,,gia@gray.example,Closed - Converted,Trade Show,true,2024-03-20,2024-03-03T10:00:00.000+0000',
      '00Q5g00001L4,Hal,Hart,Hart Co,,hal@hart.example,Closed - Not Converted,Other,false,,2024-03-04T10:00:00.000+0000',
    ].join('\n');
    expect(await importText(db.ds, file, { kind: 'leads', preset: 'salesforce-leads' })).toEqual({ counts: counts({ processed: 4, created: 4 }), errors: [] });
    expect(await db.sql(`SELECT external_id, stage, sql_at::text FROM leads WHERE external_id LIKE '00Q%' ORDER BY 1`)).toEqual([
      { external_id: '00Q5g00001L1', stage: 'NEW', sql_at: null },
      { external_id: '00Q5g00001L2', stage: 'SAL', sql_at: null },
      { external_id: '00Q5g00001L3', stage: 'SQL', sql_at: '2024-03-20 00:00:00+00' },
      { external_id: '00Q5g00001L4', stage: 'DISQUALIFIED', sql_at: null },
    ]);
  });

  it('imports a Campaign export, Type mapped to channels, a missing StartDate taken from CreatedDate', async () => {
    const file = [
      'Id,Name,ParentId,Type,Status,StartDate,EndDate,ExpectedRevenue,BudgetedCost,ActualCost,IsActive,CreatedDate',
      '7015g00000W1,Spring webinar,,Webinar,Completed,2024-03-01,2024-03-31,50000,8000,7500,false,2024-02-20T10:00:00.000+0000',
      '7015g00000T1,Trade show Berlin,,Trade Show,Planned,,,,,,true,2024-02-21T10:00:00.000+0000',
      '7015g00000E1,Newsletter,,Email,In Progress,2024-01-01,,,1200.50,,true,2023-12-15T10:00:00.000+0000',
    ].join('\n');
    expect(await importText(db.ds, file, { kind: 'campaigns', preset: 'salesforce-campaigns' })).toEqual({ counts: counts({ processed: 3, created: 3 }), errors: [] });
    expect(await db.sql(`SELECT external_id, channel, owner_team, starts_on::text, ends_on::text, budget::text FROM campaigns ORDER BY 1`)).toEqual([
      { external_id: '7015g00000E1', channel: 'EMAIL', owner_team: 'MARKETING', starts_on: '2024-01-01', ends_on: null, budget: '1200.50' },
      { external_id: '7015g00000T1', channel: 'EVENT', owner_team: 'MARKETING', starts_on: '2024-02-21', ends_on: null, budget: null },
      { external_id: '7015g00000W1', channel: 'WEBINAR', owner_team: 'MARKETING', starts_on: '2024-03-01', ends_on: '2024-03-31', budget: '8000.00' },
    ]);
  });

  it('imports a CampaignMember export as touchpoints of leads and contacts, and again as a no-op', async () => {
    const file = [
      'Id,CampaignId,LeadId,ContactId,Status,HasResponded,FirstRespondedDate,CreatedDate',
      '00v5g00000M1,7015g00000W1,00Q5g00001L2,,Responded,true,2024-03-15,2024-03-05T10:00:00.000+0000',
      '00v5g00000M2,7015g00000W1,,0035g00000C1,Sent,false,,2024-03-06T10:00:00.000+0000',
      '00v5g00000M3,7015g00000T1,,0035g00000C2,Attended,true,2024-04-10,2024-03-07T10:00:00.000+0000',
    ].join('\n');
    expect(await importText(db.ds, file, { kind: 'touchpoints', preset: 'salesforce-campaign-members' })).toEqual({ counts: counts({ processed: 3, created: 3 }), errors: [] });
    expect(await db.sql(`SELECT t.external_id, l.external_id AS lead, c.external_id AS campaign, t.kind, t.occurred_at::text
                           FROM touchpoints t JOIN leads l ON l.id = t.lead_id JOIN campaigns c ON c.id = t.campaign_id ORDER BY 1`)).toEqual([
      { external_id: '00v5g00000M1', lead: '00Q5g00001L2', campaign: '7015g00000W1', kind: 'OTHER', occurred_at: '2024-03-15 00:00:00+00' },
      { external_id: '00v5g00000M2', lead: '0035g00000C1', campaign: '7015g00000W1', kind: 'OTHER', occurred_at: '2024-03-06 10:00:00+00' },
      { external_id: '00v5g00000M3', lead: '0035g00000C2', campaign: '7015g00000T1', kind: 'EVENT_ATTENDED', occurred_at: '2024-04-10 00:00:00+00' },
    ]);
    expect(await importText(db.ds, file, { kind: 'touchpoints', preset: 'salesforce-campaign-members' })).toEqual({ counts: counts({ processed: 3, unchanged: 3 }), errors: [] });
  });

  it('imports a report export with field labels', async () => {
    const file = [
      'Opportunity ID,Opportunity Name,Account ID,Stage,Amount,Close Date,Created Date,Opportunity Type,Probability (%)',
      '0065g00000O1,Acme platform,0015g00000AcmeAAA,Closed Won,24000,2024-05-31,2024-03-01T10:00:00Z,New Customer,100',
      '0065g00000O2,Beta pilot,0015g00000BetaAAA,Closed Lost,5000,2024-06-15,2024-03-02T10:00:00Z,,0',
    ].join('\n');
    expect(await importText(db.ds, file, { kind: 'opportunities', preset: 'salesforce-opportunities' })).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
    expect(await db.sql(`SELECT external_id, stage, kind, closed_at::text FROM opportunities ORDER BY 1`)).toEqual([
      { external_id: '0065g00000O1', stage: 'CLOSED_WON', kind: 'NEW_BUSINESS', closed_at: '2024-05-31 00:00:00+00' },
      { external_id: '0065g00000O2', stage: 'CLOSED_LOST', kind: 'NEW_BUSINESS', closed_at: '2024-06-15 00:00:00+00' },
    ]);
  });
});
