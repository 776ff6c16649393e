import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertLead } from '../helpers/core-fixtures';

/**
 * Text comparisons of fit rules, at the SQL definition (qualification_fit_lines): EQUALS and IN
 * trim Unicode white space and lower-case (Unicode default lower-casing, whatever the database
 * locale; ASCII text takes a faster road to the same result); CONTAINS lower-cases without
 * trimming and is a plain substring test, so LIKE's own characters (%, _, \) in a rule's value
 * match only themselves.
 */

describe('fit rules on text', () => {
  let db: TestDatabase;
  let policy: string;

  /** Lead ids whose title makes rule `position` hold. */
  async function holding(position: number): Promise<string[]> {
    const rows = await db.sql<{ title: string }>(
      `SELECT l.title FROM qualification_fit_lines($1, ARRAY(SELECT id FROM leads)) f JOIN leads l ON l.id = f.lead_id
        WHERE f.rule_position = $2 ORDER BY l.title`,
      [policy, position],
    );
    return rows.map((r) => r.title);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const titles = [
      'up 50% growth', '500 employees', 'xa_by', 'xaXby', 'ac\\de', 'acXde',
      ' École\u00A0', 'ECOLE', '  VP  ', 'vp', 'Straße GmbH', ' head of sales', 'ΣΟΦΊΑ',
    ];
    for (const title of titles) {
      const id = await insertLead(db);
      await db.sql('UPDATE leads SET title = $2 WHERE id = $1', [id, title]);
    }
    const [made] = await db.sql<{ id: string }>(`INSERT INTO qualification_policies (mql_threshold) VALUES (1) RETURNING id::text AS id`);
    policy = made!.id;
    const rules: [string, unknown[]][] = [
      ['CONTAINS', ['50%']], // 1
      ['CONTAINS', ['a_b']], // 2
      ['CONTAINS', ['c\\d']], // 3
      ['EQUALS', ['école']], // 4: NBSP trimmed, É lower-cased
      ['IN', ['VP', 'cto']], // 5: trimmed, lower-cased
      ['CONTAINS', ['STRASSE']], // 6: lower-casing, not case folding: ß stays ß
      ['CONTAINS', [' head']], // 7: no trimming
      ['EQUALS', ['σοφία']], // 8: Greek upper case lower-cased (ICU)
    ];
    let position = 0;
    for (const [operator, values] of rules) {
      await db.sql(
        `INSERT INTO qualification_rules (policy_id, kind, position, attribute, operator, "values", points) VALUES ($1, 'FIT', $2, 'lead.jobTitle', $3, $4::jsonb, 1)`,
        [policy, ++position, operator, JSON.stringify(values)],
      );
    }
  });

  afterAll(async () => {
    await db.drop();
  });

  it('CONTAINS takes %, _ and \\ literally', async () => {
    expect(await holding(1)).toEqual(['up 50% growth']);
    expect(await holding(2)).toEqual(['xa_by']);
    expect(await holding(3)).toEqual(['ac\\de']);
  });

  it('EQUALS and IN trim Unicode white space and lower-case, ASCII or not', async () => {
    expect(await holding(4)).toEqual([' École\u00A0']);
    expect(await holding(5)).toEqual(['  VP  ', 'vp']);
    expect(await holding(8)).toEqual(['ΣΟΦΊΑ']);
  });

  it('CONTAINS lower-cases without trimming or case folding', async () => {
    expect(await holding(6)).toEqual([]);
    expect(await holding(7)).toEqual([' head of sales']);
  });
});
