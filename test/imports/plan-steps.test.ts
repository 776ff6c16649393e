import { planSteps } from '../../src/imports/kinds/batch';
import type { Step } from '../../src/imports/kinds/kind';

/**
 * How the import runner orders a kind's steps: look-ups are put together into one UPDATE only
 * where no check between them reads the column a later look-up sets and no compute lies between.
 */

const lookup = (column: string, sql = `(SELECT r.id FROM t r WHERE r.k = s.c_${column})`): Step => ({ lookup: column, sql });
const check = (where: string, reason = "'bad'"): Step => ({ column: 'x', where, reason });

/** Each planned step as a short word: the columns of a look-up group, a check's where, a compute's sql. */
function shape(steps: Step[]): string[] {
  return planSteps(steps).map((p) => ('lookups' in p ? `lookups(${p.lookups.map((l) => l.lookup).join(',')})` : 'where' in p ? `check(${p.where})` : `sql(${p.sql})`));
}

describe('planSteps', () => {
  it('puts the look-ups of a touchpoint row together past checks that read other columns', () => {
    // the generic target look-up, the mode check, then the lead's and the campaign's references
    const steps = [
      lookup('target_id'),
      check('s.target_id IS NOT NULL'),
      lookup('lead_id'),
      check('s.c_lead IS NOT NULL AND s.lead_id IS NULL'),
      lookup('campaign_id'),
      check('s.c_campaign IS NOT NULL AND s.campaign_id IS NULL'),
    ];
    expect(shape(steps)).toEqual([
      'lookups(target_id,lead_id,campaign_id)',
      'check(s.target_id IS NOT NULL)',
      'check(s.c_lead IS NOT NULL AND s.lead_id IS NULL)',
      'check(s.c_campaign IS NOT NULL AND s.campaign_id IS NULL)',
    ]);
  });

  it('keeps a look-up after a check that reads its column, in the where or in the reason', () => {
    expect(shape([lookup('a'), check('s.b IS NOT NULL'), lookup('b')])).toEqual(['lookups(a)', 'check(s.b IS NOT NULL)', 'lookups(b)']);
    expect(shape([lookup('a'), { column: 'x', where: 'true', reason: "format('%s', s.b)" }, lookup('b')])).toEqual(['lookups(a)', 'check(true)', 'lookups(b)']);
    // a column whose name only starts like the look-up's is not read
    expect(shape([lookup('a'), check('s.b_other IS NULL'), lookup('b')])).toEqual(['lookups(a,b)', 'check(s.b_other IS NULL)']);
  });

  it('does not move a look-up past a compute', () => {
    expect(shape([lookup('a'), { sql: 'UPDATE import_stage s SET z = 1' }, lookup('b')])).toEqual(['lookups(a)', 'sql(UPDATE import_stage s SET z = 1)', 'lookups(b)']);
  });

  it('starts a group for a second look-up of a column, and for one that reads a column of the group', () => {
    expect(shape([lookup('a'), lookup('a')])).toEqual(['lookups(a)', 'lookups(a)']);
    expect(shape([lookup('a'), lookup('b', '(SELECT r.id FROM t r WHERE r.parent = s.a)')])).toEqual(['lookups(a)', 'lookups(b)']);
  });
});
