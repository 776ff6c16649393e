import { createTestDatabase, TestDatabase } from '../helpers/db';
import { counts, importText } from '../imports/engine-helpers';

/** The leads and accounts imports take custom attributes: `attributes.<key>[:number|:boolean|:text]` columns, merged into the stored map. */
describe('imports of custom attributes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const attributesOf = async (table: string, externalId: string) =>
    (await db.sql<{ a: Record<string, unknown>; texts: Record<string, string> }>(
      `SELECT attributes AS a, (SELECT jsonb_object_agg(key, jsonb_typeof(value) || ':' || (value #>> '{}')) FROM jsonb_each(attributes)) AS texts
         FROM ${table} WHERE external_id = $1`,
      [externalId],
    ))[0]?.texts ?? null;

  it('accounts: typed columns become the map; a second file merges, an empty cell keeps the value', async () => {
    const first = await importText(
      db.ds,
      'externalId,name,domain,segment,attributes.employees:number,attributes.partner:boolean,attributes.Tier,attributes.note:text\n' +
        'A1,Acme,acme.test,ENTERPRISE,1200.50,TRUE,  Gold ,hello\n' +
        'A2,Beta,beta.test,SMB,,false,,\n',
      { kind: 'accounts' },
    );
    expect(first).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
    // numbers exact, booleans lower-cased, text trimmed; empty cells set nothing
    expect(await attributesOf('accounts', 'A1')).toEqual({ employees: 'number:1200.50', partner: 'boolean:true', Tier: 'string:Gold', note: 'string:hello' });
    expect(await attributesOf('accounts', 'A2')).toEqual({ partner: 'boolean:false' });
    const second = await importText(db.ds, 'externalId,attributes.employees:number,attributes.Tier,attributes.region\nA1,1300,,EMEA\nA2,,,\n', { kind: 'accounts' });
    // A1 changes (employees replaced, region added, Tier kept); A2 has nothing to change
    expect(second.counts).toEqual(counts({ processed: 2, updated: 1, unchanged: 1 }));
    expect(await attributesOf('accounts', 'A1')).toEqual({ employees: 'number:1300', partner: 'boolean:true', Tier: 'string:Gold', note: 'string:hello', region: 'string:EMEA' });
    // the same file again changes nothing
    expect((await importText(db.ds, 'externalId,attributes.employees:number\nA1,1300\n', { kind: 'accounts' })).counts).toEqual(counts({ processed: 1, unchanged: 1 }));
  });

  it('leads: bad values are row errors naming the column; the other rows import', async () => {
    const result = await importText(
      db.ds,
      'externalId,email,attributes.score:number,attributes.optin:boolean\n' +
        'L1,l1@x.test,12,true\n' +
        'L2,l2@x.test,1e3,true\n' +
        'L3,l3@x.test,7,yes\n',
      { kind: 'leads' },
    );
    expect(result.counts).toEqual(counts({ processed: 3, created: 1, failed: 2 }));
    expect(result.errors.map((e) => [e.line, e.column, e.reason])).toEqual([
      [3, 'attributes.score:number', '"1e3" is not a decimal number such as 1200 or -0.5'],
      [4, 'attributes.optin:boolean', '"yes" is not a boolean (true or false)'],
    ]);
    expect(await attributesOf('leads', 'L1')).toEqual({ score: 'number:12', optin: 'boolean:true' });
  });

  it('a mapping sends a CRM header to an attribute', async () => {
    const result = await importText(db.ds, 'externalId,Employees\nA2,40\n', { kind: 'accounts', mapping: { Employees: 'attributes.employees:number' } });
    expect(result.counts).toEqual(counts({ processed: 1, updated: 1 }));
    expect(await attributesOf('accounts', 'A2')).toEqual({ partner: 'boolean:false', employees: 'number:40' });
  });

  it('refuses a file naming one key twice, or a bare attributes column', async () => {
    await expect(importText(db.ds, 'externalId,attributes.size,attributes.size:number\nA9,1,2\n', { kind: 'accounts' })).rejects.toThrow(
      'the columns "attributes.size" and "attributes.size:number" are both attributes.size',
    );
    await expect(importText(db.ds, 'externalId,attributes\nA9,x\n', { kind: 'accounts' })).rejects.toThrow('unknown column "attributes"');
    await expect(importText(db.ds, 'externalId,name,attributes.x\nU1,Ann,1\n', { kind: 'campaigns' })).rejects.toThrow('unknown column "attributes.x"');
  });

  it('at most 200 attributes per row', async () => {
    const keys = Array.from({ length: 201 }, (_, i) => `attributes.k${i}:number`);
    const result = await importText(db.ds, `externalId,${keys.join(',')}\nA1,${keys.map((_, i) => i).join(',')}\n`, { kind: 'accounts' });
    // 201 new keys + the 5 A1 has (employees, partner, Tier, note, region) = 206
    expect(result.errors.map((e) => [e.column, e.reason])).toEqual([['attributes', 'an account has at most 200 attributes; this row would make 206']]);
  });
});
