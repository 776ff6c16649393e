import { DEMO_TABLES } from '../../src/seed/demo-generator';
import { createDemoPlan, parseDemoSize, resolveDemoSize } from '../../src/seed/demo-plan';
import { Rng } from '../../src/seed/prng';

describe('seeded random numbers', () => {
  it('repeat for the same keys and differ for others', () => {
    const draw = (...keys: number[]) => {
      const rng = new Rng(...keys);
      return Array.from({ length: 5 }, () => rng.nextUint32());
    };
    expect(draw(1, 2, 3)).toEqual(draw(1, 2, 3));
    expect(draw(1, 2, 3)).not.toEqual(draw(1, 2, 4));
    expect(draw(1, 2, 3)).not.toEqual(draw(2, 2, 3));
  });

  it('stay in range and look uniform', () => {
    const rng = new Rng(42);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      if (x < 0 || x >= 1) outside++;
      else buckets[Math.floor(x * 10)]! += 1;
    }
    expect(outside).toBe(0);
    // each decile should hold ~10,000 draws; 3% off is far beyond sampling noise (sd ~95)
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(300);
    const ints = new Set(Array.from({ length: 1000 }, () => rng.int(3, 7)));
    expect([...ints].sort()).toEqual([3, 4, 5, 6, 7]);
  });
});

describe('demo sizes', () => {
  it('resolves S, M and L to the documented figures and scales a number of accounts', () => {
    expect(resolveDemoSize('S')).toEqual({ accounts: 300, leadsPerAccount: 10, touchpointsPerLead: 3.4, campaigns: 40 });
    expect(resolveDemoSize('M')).toEqual({ accounts: 10_000, leadsPerAccount: 10, touchpointsPerLead: 10, campaigns: 300 });
    // L = 10x M in accounts, leads and touchpoints; campaigns 40 x (100,000 / 300)^0.575 = 40 x 28.2 ~ 1,129
    expect(resolveDemoSize('L')).toEqual({ accounts: 100_000, leadsPerAccount: 10, touchpointsPerLead: 10, campaigns: 1_129 });
    const between = resolveDemoSize(2000);
    expect(between.campaigns).toBeGreaterThan(40);
    expect(between.campaigns).toBeLessThan(300);
    expect(resolveDemoSize({ accounts: 50, campaigns: 12 }).campaigns).toBe(12);
  });

  it('rejects sizes it cannot build', () => {
    expect(() => resolveDemoSize(0)).toThrow(/at least 1 account/);
    expect(() => resolveDemoSize({ accounts: 10, campaigns: 5 })).toThrow(/one per channel/);
    expect(parseDemoSize('m')).toBe('M');
    expect(parseDemoSize(' L ')).toBe('L');
    expect(parseDemoSize('1200')).toBe(1200);
    expect(() => parseDemoSize('XL')).toThrow(/S, M, L or a number/);
  });

  it('produces rows lazily, so even M starts streaming at once', () => {
    const plan = createDemoPlan({ size: 'M' });
    const touchpoints = DEMO_TABLES.find((t) => t.table === 'touchpoints')!;
    const started = Date.now();
    const first = touchpoints.rows(plan)[Symbol.iterator]().next();
    // a generator that built the ~1M touchpoints first would take seconds here
    expect(Date.now() - started).toBeLessThan(500);
    expect(first.done).toBe(false);
    expect(first.value).toMatch(/^1\t1\t\d+\t[A-Z_]+\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00\t/);
  });
});
