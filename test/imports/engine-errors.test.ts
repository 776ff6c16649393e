import { errorsCsv } from '../../src/imports/engine';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { counts, importText } from './engine-helpers';

describe('import engine: bad rows, atomic imports, CSV details', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await importText(db.ds, 'externalId,name,channel,ownerTeam,startsOn\nc-1,Search,PAID_SEARCH,MARKETING,2024-01-01\n', { kind: 'campaigns' });
    await importText(db.ds, 'externalId,email,createdAt\nl-1,ana@acme.com,2024-01-01T00:00:00Z\n', { kind: 'leads' });
  });
  afterAll(() => db.drop());

  const header = 'externalId,leadEmail,campaignExternalId,kind,occurredAt';

  it('reports each bad row with its line, column, reason and values, and applies the good ones', async () => {
    const file = [
      header,
      't-1,ana@acme.com,c-1,AD_CLICK,2024-02-01T00:00:00Z',
      't-2,nobody@acme.com,c-1,AD_CLICK,2024-02-01T00:00:00Z',
      't-3,ana@acme.com,c-9,AD_CLICK,2024-02-01T00:00:00Z',
      't-4,ana@acme.com,c-1,CLICKED,2024-02-01T00:00:00Z',
      't-5,ana@acme.com,c-1,AD_CLICK,3024-02-01T00:00:00Z',
      't-1,ana@acme.com,c-1,AD_VIEW,2024-02-01T00:00:00Z',
      't-6,ana@acme.com,c-1',
    ].join('\r\n');
    const { counts: c, errors } = await importText(db.ds, file, { kind: 'touchpoints' });
    expect(c).toEqual(counts({ processed: 7, created: 1, failed: 6 }));
    expect(errors.map(({ line, column, reason }) => ({ line, column, reason }))).toEqual([
      { line: 3, column: 'leadEmail', reason: 'no lead with email "nobody@acme.com"' },
      { line: 4, column: 'campaignExternalId', reason: 'no campaign with externalId "c-9"' },
      { line: 5, column: 'kind', reason: expect.stringMatching(/^"CLICKED" is not one of AD_CLICK, AD_VIEW/) as string },
      { line: 6, column: 'occurredAt', reason: 'cannot be in the future' },
      { line: 7, column: 'externalId', reason: 'appears again; first on line 2' },
      { line: 8, column: null, reason: 'the row has 3 fields; the header has 5' },
    ]);
    expect(errors[0]?.values).toEqual({ externalId: 't-2', leadEmail: 'nobody@acme.com', campaignExternalId: 'c-1', kind: 'AD_CLICK', occurredAt: '2024-02-01T00:00:00Z' });
    // the error CSV, fixed, imports as is
    const fixedCsv = errorsCsv(header.split(','), errors.slice(0, 2)).replace('nobody@acme.com', 'ana@acme.com').replace('c-9', 'c-1');
    expect(fixedCsv.split('\r\n')[0]).toBe(`${header},_line,_column,_reason`);
    expect(await importText(db.ds, fixedCsv, { kind: 'touchpoints' })).toEqual({ counts: counts({ processed: 2, created: 2 }), errors: [] });
  });

  it('rolls an atomic import back whole when a row fails', async () => {
    const file = `${header}\nt-10,ana@acme.com,c-1,AD_CLICK,2024-02-01T00:00:00Z\nt-11,ana@acme.com,c-404,AD_CLICK,2024-02-01T00:00:00Z\n`;
    const result = await importText(db.ds, file, { kind: 'touchpoints', atomic: true });
    expect(result.counts).toEqual(counts({ processed: 2, failed: 1 }));
    expect(await db.sql(`SELECT external_id FROM touchpoints WHERE external_id IN ('t-10','t-11')`)).toEqual([]);
    const ok = await importText(db.ds, file.replace('c-404', 'c-1'), { kind: 'touchpoints', atomic: true });
    expect(ok.counts).toEqual(counts({ processed: 2, created: 2 }));
  });

  it('reads a BOM, quoted fields with commas, quotes and newlines, and gives the line a row starts on', async () => {
    const file = '\uFEFFexternalId,email,firstName,title\r\nl-2,bo@acme.com,Bo,"Head of ""Ops"", EMEA\r\nand APAC"\r\nl-3,not-an-email,Cy,x\r\n';
    const result = await importText(db.ds, file, { kind: 'leads' });
    expect(result.counts).toEqual(counts({ processed: 2, created: 1, failed: 1 }));
    expect(result.errors.map(({ line, column, reason }) => ({ line, column, reason }))).toEqual([{ line: 4, column: 'email', reason: '"not-an-email" is not an email address' }]);
    expect(await db.sql(`SELECT title FROM leads WHERE external_id = 'l-2'`)).toEqual([{ title: 'Head of "Ops", EMEA\r\nand APAC' }]);
  });

  it('keeps to the mode: CREATE refuses existing external ids, UPDATE unknown ones', async () => {
    const file = 'externalId,email\nl-1,ana@acme.com\nl-new,new@acme.com\n';
    const created = await importText(db.ds, file, { kind: 'leads', mode: 'CREATE' });
    expect(created.counts).toEqual(counts({ processed: 2, created: 1, failed: 1 }));
    expect(created.errors[0]).toMatchObject({ line: 2, column: 'externalId', reason: 'a lead with externalId "l-1" already exists (mode CREATE)' });
    const updated = await importText(db.ds, 'externalId,firstName\nl-1,Ana\nl-none,Zed\n', { kind: 'leads', mode: 'UPDATE' });
    expect(updated.counts).toEqual(counts({ processed: 2, updated: 1, failed: 1 }));
    expect(updated.errors[0]).toMatchObject({ line: 3, column: 'externalId', reason: 'no lead with externalId "l-none" (mode UPDATE)' });
  });

  it('refuses a file with an unknown column before reading a row', async () => {
    await expect(importText(db.ds, 'externalId,emial\nl-1,a@b.c\n', { kind: 'leads' })).rejects.toThrow('unknown column "emial" for leads');
  });
});
