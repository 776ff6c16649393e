import fc from 'fast-check';
import { types } from 'pg';
import '../../src/db/data-source';
import { parseIsoTimestamptz } from '../../src/db/timestamptz';
import { createTestDatabase, TestDatabase } from '../helpers/db';

// pg's own parser (postgres-date, which data-source.ts replaces): what the fast one must agree with
// eslint-disable-next-line @typescript-eslint/no-require-imports
const postgresDate = require('postgres-date') as (value: string) => Date;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const text = fc
  .record({
    year: fc.integer({ min: 100, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.option(fc.integer({ min: 0, max: 999_999 }).map((f) => pad(f, 6).replace(/0+$/, '') || '0')),
    offsetMinutes: fc.integer({ min: -14 * 60, max: 14 * 60 }),
    offsetForm: fc.constantFrom('hours', 'minutes'),
  })
  .map((t) => {
    const offset = t.offsetForm === 'hours' ? Math.trunc(t.offsetMinutes / 60) * 60 : t.offsetMinutes;
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const zone = `${sign}${pad(Math.floor(abs / 60), 2)}${abs % 60 ? `:${pad(abs % 60, 2)}` : ''}`;
    return `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)} ${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}` +
      `${t.fraction === null ? '' : `.${t.fraction}`}${zone}`;
  });

describe('timestamptz parser', () => {
  it('gives the Date that postgres-date gives, to the millisecond', () => {
    fc.assert(
      fc.property(text, (value) => {
        const fast = parseIsoTimestamptz(value);
        expect(fast).not.toBeNull();
        // postgres-date multiplies the fraction as a float (1000 * 0.057 = 57.00000000000001): compare exact milliseconds
        expect(Math.abs(fast!.getTime() - postgresDate(value).getTime())).toBeLessThanOrEqual(1);
        expect(fast!.getUTCMilliseconds()).toBe(Number((value.split('.')[1] ?? '0').replace(/[+-].*/, '').padEnd(3, '0').slice(0, 3)));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves every other form to the default parser', () => {
    for (const value of ['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00', '2026-11-23 14:03:39+05:30:15', '2026-11-23T14:03:39Z']) {
      expect(parseIsoTimestamptz(value)).toBeNull();
    }
  });

  it('is the parser pg uses for timestamptz once the data source is loaded', () => {
    expect(types.getTypeParser(1184, 'text')('2026-11-23 14:03:39.5+00')).toEqual(new Date('2026-11-23T14:03:39.500Z'));
    expect(types.getTypeParser(1184, 'text')('infinity')).toBe(Infinity);
  });

  describe('on a real server', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db.drop());

    it('reads back what PostgreSQL stored, in any session time zone', async () => {
      const stored = ['2026-11-23T14:03:39.123Z', '1999-12-31T23:59:59.999Z', '2024-02-29T00:00:00.000Z', '0100-01-01T00:00:00.000Z'];
      for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham']) {
        const rows = await db.ds.transaction(async (tx) => {
          await tx.query(`SET LOCAL TIME ZONE '${zone}'`);
          return tx.query(`SELECT t FROM unnest($1::timestamptz[]) t`, [stored]) as Promise<{ t: Date }[]>;
        });
        expect(rows.map((r) => r.t.toISOString())).toEqual(stored);
      }
    });
  });
});
