import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Code points that make two emails look the same while they differ, or reorder how one is shown:
 * C0 and C1 controls, soft hyphen, zero-width space and joiners, bidi marks, embeddings, overrides
 * and isolates, word joiner and invisible operators, line and paragraph separators, fillers,
 * variation selectors, BOM, interlinear annotation, tags, and the Unicode spaces. The API refuses
 * these and more (src/common/validation.ts, by Unicode category); the database holds the line
 * for writers that bypass it (SQL, COPY). PostgreSQL's regular expressions know no Unicode
 * categories, hence the explicit ranges.
 */
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x01, 0x1f], [0x7f, 0x9f], [0xa0, 0xa0], [0xad, 0xad], [0x34f, 0x34f], [0x61c, 0x61c], [0x115f, 0x1160], [0x1680, 0x1680],
  [0x17b4, 0x17b5], [0x180b, 0x180f], [0x2000, 0x200f], [0x2028, 0x202f], [0x205f, 0x206f], [0x3000, 0x3000], [0x3164, 0x3164],
  [0xfe00, 0xfe0f], [0xfeff, 0xfeff], [0xffa0, 0xffa0], [0xfff0, 0xfffb], [0x1d173, 0x1d17a], [0xe0000, 0xe0fff],
];

/** A bracket expression of PostgreSQL's regular expressions (\uXXXX and \UXXXXXXXX escapes). */
function bracketOf(ranges: readonly (readonly [number, number])[]): string {
  const escape = (cp: number) => (cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`);
  return `[${ranges.map(([from, to]) => (from === to ? escape(from) : `${escape(from)}-${escape(to)}`)).join('')}]`;
}

const CONSTRAINTS = [
  { table: 'leads', name: 'leads_email_visible' },
  { table: 'users', name: 'users_email_visible' },
] as const;

/**
 * Lead and user emails hold no control or invisible characters (a zero-width space made a second
 * lead beside the first). Added NOT VALID, so rows stored before are not judged by it, then
 * validated when none breaks it; otherwise it stays NOT VALID (new and changed rows are still
 * checked) and a warning says how many rows to clean before `ALTER TABLE ... VALIDATE CONSTRAINT`.
 * Accounts' domains need nothing new: their CHECK allows a-z, 0-9, dots and hyphens only.
 * Only a UTF8 database can hold these characters as such; another encoding is left alone.
 */
export class VisibleEmails1732600000000 implements MigrationInterface {
  name = 'VisibleEmails1732600000000';

  public async up(q: QueryRunner): Promise<void> {
    const [{ server_encoding: encoding }] = (await q.query('SHOW server_encoding')) as [{ server_encoding: string }];
    if (encoding !== 'UTF8') return;
    const invisible = bracketOf(INVISIBLE_RANGES);
    for (const { table, name } of CONSTRAINTS) {
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (email !~ '${invisible}') NOT VALID`);
      await q.query(`
        DO $$
        DECLARE bad bigint;
        BEGIN
          SELECT count(*) INTO bad FROM ${table} WHERE email ~ '${invisible}';
          IF bad = 0 THEN
            ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};
          ELSE
            RAISE WARNING '% row(s) of ${table} have an email with a control or invisible character: fix them, then ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}', bad;
          END IF;
        END $$`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const { table, name } of CONSTRAINTS) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`);
  }
}
