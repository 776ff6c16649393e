import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The files of sql/bi this migration applies, in order (a file may call the functions of an
 * earlier one). Each holds one metric family: plain SQL, one definition per function.
 */
export const BI_METRIC_FILES = ['attribution.sql', 'performance.sql', 'time-series.sql', 'funnel.sql', 'sla.sql', 'feedback.sql', 'share-of-wallet.sql', 'acquisition-cost.sql',
  'comparison.sql'] as const;

/**
 * The cache tables the metric functions read besides those the bi schema's owner may read already
 * (BI_SOURCE_TABLES of migrations/bi-views.ts).
 */
export const BI_METRIC_TABLES = [
  'attribution_cache_settings', 'attribution_journeys', 'attribution_paths', 'attribution_monthly',
  'attribution_monthly_totals', 'opportunity_monthly_totals',
] as const;

/**
 * The folder of the SQL files: dist/sql/bi next to dist/migrations in a build (npm run build
 * copies sql/ into dist), else sql/bi of the repository (migrations run from TypeScript, or from a
 * dist/ inside the repository).
 */
export function biSqlDir(): string {
  const candidates = [resolve(__dirname, '..', 'sql', 'bi'), resolve(__dirname, '..', '..', 'sql', 'bi')];
  const found = candidates.find((dir) => existsSync(join(dir, BI_METRIC_FILES[0])));
  if (!found) throw new Error(`the bi metric SQL files are missing: looked in ${candidates.join(' and ')}`);
  return found;
}

/** The text of one file of sql/bi. */
export function biSqlFile(file: string): string {
  return readFileSync(join(biSqlDir(), file), 'utf8');
}

/** The names (bi.<name>) of the functions a file creates. */
export function functionNames(sql: string): string[] {
  return [...new Set([...sql.matchAll(/CREATE OR REPLACE FUNCTION bi\.([a-z_][a-z0-9_]*)\s*\(/g)].map((m) => m[1]!))];
}

/**
 * The metric functions of schema `bi` (issue 13, "One definition, two doors"): each metric is
 * computed by one SQL function that both the GraphQL API and BI tools (logged in as bi roles)
 * call, so the two can never disagree. Their SQL lives in sql/bi/*.sql, read here at migration
 * time and applied with CREATE OR REPLACE; a later change of a .sql file ships with a new
 * migration that applies the changed files again (this one keeps applying whatever the files
 * hold, so a database migrated before the change needs that new migration to get it).
 *
 * Rights: the functions are created by, and owned by, the bi schema's owner role, a NOLOGIN role
 * that may read the base tables; they are SECURITY DEFINER with a fixed search_path, so a BI role
 * may call them (EXECUTE is granted to the reader group role) and still reads no base table
 * itself. They return aggregates only: no emails, names or free text.
 */
export class BiMetricFunctions1732810000000 implements MigrationInterface {
  name = 'BiMetricFunctions1732810000000';

  public async up(q: QueryRunner): Promise<void> {
    await applyBiFiles(q, BI_METRIC_FILES);
  }

  public async down(q: QueryRunner): Promise<void> {
    const { owner, reader } = await biRoles(q);
    const files = BI_METRIC_FILES.map((file) => biSqlFile(file));
    for (const fn of (await functionsOf(q, files)).reverse()) await q.query(`DROP FUNCTION ${fn}`);
    if (reader) await q.query(`REVOKE SELECT ON ${BI_METRIC_TABLES.join(', ')} FROM "${owner}"`);
  }
}

/**
 * Applies these files of sql/bi (CREATE OR REPLACE) as the bi schema's owner, so that it owns
 * every function, and lets only the reader group role execute them. A later migration that ships
 * a changed file calls this with that file.
 */
export async function applyBiFiles(q: QueryRunner, names: readonly (typeof BI_METRIC_FILES)[number][]): Promise<void> {
  const { owner, reader } = await biRoles(q);
  const files = names.map((file) => biSqlFile(file));
  if (reader) {
    await q.query(`GRANT SELECT ON ${BI_METRIC_TABLES.join(', ')} TO "${owner}"`);
    await q.query(`SET ROLE "${owner}"`);
  }
  // (a failing file aborts the transaction, which undoes the SET ROLE as well)
  for (const sql of files) await q.query(sql);
  if (reader) await q.query(`RESET ROLE`);
  for (const fn of await functionsOf(q, files)) {
    await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    if (reader) await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO "${reader}"`);
  }
}

/** The bi schema's owner and reader roles (no reader: the migrating user owns the schema and no roles exist). */
export async function biRoles(q: QueryRunner): Promise<{ owner: string; reader: string | null }> {
  const [settings] = (await q.query(`SELECT owner_role, reader_role FROM bi_settings`)) as { owner_role: string; reader_role: string | null }[];
  if (!settings) throw new Error('bi_settings is empty: the bi schema migration has not run');
  return { owner: settings.owner_role, reader: settings.reader_role };
}

/** Every function of schema bi the files name (each signature), as regprocedure text, in file order. */
async function functionsOf(q: QueryRunner, files: string[]): Promise<string[]> {
  const names = files.flatMap(functionNames);
  const rows = (await q.query(
    `SELECT p.oid::regprocedure::text AS fn
     FROM unnest($1::text[]) WITH ORDINALITY AS n(name, i)
     JOIN pg_proc p ON p.proname = n.name AND p.pronamespace = 'bi'::regnamespace
     ORDER BY n.i, p.oid`,
    [names],
  )) as { fn: string }[];
  return rows.map((r) => r.fn);
}
