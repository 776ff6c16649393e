import { createTestDatabase, TestDatabase } from '../helpers/db';
import { counts, importText } from './engine-helpers';

describe('HubSpot companies preset', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  // the columns of HubSpot's default companies export, in its order
  const file = [
    'Record ID,Company name,Company owner,Create Date,Phone Number,Last Activity Date,City,Country/Region,Industry,Company Domain Name,Number of Employees,Annual Revenue,Lifecycle Stage',
    '9001,Acme Corp,Ana Owner,2024-01-02 10:00,+1 555 0100,,Boston,United States,COMPUTER_SOFTWARE,acme.com,"1,500",25000000,customer',
    '9002,Beta GmbH,,2024-02-03 11:30,,,Berlin,Germany,,beta.de,250,,lead',
    '9003,Gamma LLC,,2024-03-04 09:15,,,,,,gamma.io,,,',
  ].join('\n');

  it('imports a companies export as is, the segment from Number of Employees', async () => {
    expect(await importText(db.ds, file, { kind: 'accounts', preset: 'hubspot-companies' })).toEqual({ counts: counts({ processed: 3, created: 3 }), errors: [] });
    expect(await db.sql(`SELECT external_id, name, domain, segment, industry, created_at::text FROM accounts ORDER BY 1`)).toEqual([
      { external_id: '9001', name: 'Acme Corp', domain: 'acme.com', segment: 'ENTERPRISE', industry: 'COMPUTER_SOFTWARE', created_at: '2024-01-02 10:00:00+00' },
      { external_id: '9002', name: 'Beta GmbH', domain: 'beta.de', segment: 'MID_MARKET', industry: null, created_at: '2024-02-03 11:30:00+00' },
      { external_id: '9003', name: 'Gamma LLC', domain: 'gamma.io', segment: 'SMB', industry: null, created_at: '2024-03-04 09:15:00+00' },
    ]);
  });

  it('changes nothing when the same export is imported again', async () => {
    expect(await importText(db.ds, file, { kind: 'accounts', preset: 'hubspot-companies' })).toEqual({ counts: counts({ processed: 3, unchanged: 3 }), errors: [] });
  });

  it('takes the domain of the Website URL when the export has no Company Domain Name', async () => {
    const noDomain = ['Record ID,Company name,Website URL,Number of Employees', '9004,Delta Inc,https://www.delta.example/about,12'].join('\n');
    expect(await importText(db.ds, noDomain, { kind: 'accounts', preset: 'hubspot-companies' })).toEqual({ counts: counts({ processed: 1, created: 1 }), errors: [] });
    expect(await db.sql(`SELECT domain, segment FROM accounts WHERE external_id = '9004'`)).toEqual([{ domain: 'delta.example', segment: 'SMB' }]);
  });

  it('imports a contacts export with lifecycle stage labels as HubSpot writes them', async () => {
    const contacts = [
      'Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Lead Status,Marketing contact status,Create Date,Lifecycle Stage,Last Activity Date',
      '201,Cy,Chen,cy@acme.com,,,,Marketing contact,2024-04-01 08:00,Opportunity,',
      '202,Di,Dale,di@beta.de,,,,Non-marketing contact,2024-04-02 08:00,Subscriber,',
    ].join('\n');
    expect(await importText(db.ds, contacts, { kind: 'leads', preset: 'hubspot-contacts' })).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
    expect(await db.sql(`SELECT external_id, stage FROM leads ORDER BY 1`)).toEqual([
      { external_id: '201', stage: 'OPPORTUNITY' },
      { external_id: '202', stage: 'NEW' },
    ]);
  });
});
