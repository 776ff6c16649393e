import { createTestDatabase, TestDatabase } from '../helpers/db';
import { counts, importText } from './engine-helpers';

describe('import presets', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await importText(db.ds, 'externalId,name,domain,segment\n001A,Acme,acme.com,SMB\n', { kind: 'accounts' });
  });
  afterAll(() => db.drop());

  it('imports a HubSpot contacts export as is, lifecycle stages mapped', async () => {
    const file = [
      'Record ID,First Name,Last Name,Email,Lifecycle Stage,Create Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,Phone Number',
      '101,Ana,Alvarez,ana@acme.com,salesqualifiedlead,2024-01-02 10:00,2024-01-05 10:00,2024-01-09 10:00,+1 555',
      '102,Bo,Berg,bo@acme.com,Marketing Qualified Lead,2024-01-03 10:00,2024-01-04 10:00,,',
    ].join('\n');
    expect(await importText(db.ds, file, { kind: 'leads', preset: 'hubspot-contacts' })).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
    expect(await db.sql(`SELECT external_id, stage, sal_at::text FROM leads ORDER BY 1`)).toEqual([
      { external_id: '101', stage: 'SQL', sal_at: '2024-01-09 10:00:00+00' },
      { external_id: '102', stage: 'MQL', sal_at: null },
    ]);
  });

  it('imports a Salesforce opportunity export as is, an open deal\'s CloseDate not taken as a close', async () => {
    const file = [
      'Id,AccountId,Name,StageName,Amount,CloseDate,CreatedDate,Type,Probability',
      '006A,001A,Acme renewal,Closed Won,12000,2024-03-31,2024-01-10T09:00:00.000+0000,Existing Customer - Replacement,100',
      '006B,001A,Acme add-on,Negotiation/Review,3000,2024-09-30,2024-02-10T09:00:00.000+0000,,80',
    ].join('\n');
    expect(await importText(db.ds, file, { kind: 'opportunities', preset: 'salesforce-opportunities' })).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
    expect(await db.sql(`SELECT external_id, stage, kind, closed_at::text FROM opportunities ORDER BY 1`)).toEqual([
      { external_id: '006A', stage: 'CLOSED_WON', kind: 'RENEWAL', closed_at: '2024-03-31 00:00:00+00' },
      { external_id: '006B', stage: 'NEGOTIATION', kind: 'NEW_BUSINESS', closed_at: null },
    ]);
  });
});
