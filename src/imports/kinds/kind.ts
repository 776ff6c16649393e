import type { ImportKind } from '../engine';
import { ColumnSpec, stageColumn } from '../columns';

/**
 * What the engine needs to know of one kind: its columns, the SQL that resolves references and
 * checks the staged batch, and how a valid staged row becomes a row of the table. All SQL runs
 * on the staging table `import_stage` (alias `s`), set-based over the batch.
 */

/** A check: rows matching `where` (and not failed yet) fail on `column` with `reason` (a SQL text expression). */
export interface Check {
  column: string | null;
  where: string;
  reason: string;
}

/** A statement that computes staging columns (references, final values). */
export interface Compute {
  sql: string;
}

/**
 * A look-up: staging column `lookup` takes the value of `sql`, a scalar sub-query over `s`
 * probing a unique index (at most one row), where it finds one; elsewhere the column keeps its
 * value. The runner puts look-ups together into one UPDATE of the staging table (one new version
 * of each staged row instead of one per look-up) and moves a look-up earlier past checks that do
 * not read its column (checks write only err_column and err_reason, which no look-up reads).
 */
export interface Lookup {
  lookup: string;
  sql: string;
}

export type Step = Check | Compute | Lookup;

/** A column of the target table and the SQL expression (over `s`) of its new value. */
export interface Field {
  db: string;
  expr: string;
  /** Written on insert only (createdAt): a later import does not change when a row was created. */
  insertOnly?: boolean;
}

export interface StepContext {
  present: ReadonlySet<string>;
  actorRole: string;
}

export interface KindSpec {
  kind: ImportKind;
  table: string;
  /** For messages: "a lead with externalId ...". */
  label: string;
  columns: ColumnSpec[];
  /** More staging columns (SQL definitions) the steps fill. */
  extra: string[];
  /** Steps after the target row is found (s.target_id) and the mode is checked, in order. */
  steps(ctx: StepContext): Step[];
  /** The fields written; a field whose columns are absent from the file is left out (kept as is). */
  fields(ctx: StepContext): Field[];
  /** Also a reason to update an existing row (e.g. its contacts changed), a SQL condition over `s`. */
  changedAlso?: (ctx: StepContext) => string | null;
  /** Statements run after the insert, over the new rows (s.new_id is their id). */
  afterInsert?: (ctx: StepContext) => string[];
  /** Statements run before the update of existing rows (s.target_id). */
  beforeUpdate?: (ctx: StepContext) => string[];
  /** Statements run after the update of existing rows. */
  afterUpdate?: (ctx: StepContext) => string[];
}

/** The condition of a staged row still to apply. */
export const OK = 's.err_reason IS NULL AND s.pick';

export const sc = stageColumn;

/** SQL text literal (for fixed texts written into SQL: column names, labels). */
export function lit(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Later rows of the batch repeating `expr` of an earlier one fail on `column`. */
export function duplicateCheck(column: string, expr: string): Check {
  return {
    column,
    where: `s.line > (SELECT min(d.line) FROM import_stage d WHERE ${expr.replace(/\bs\./g, 'd.')} = ${expr} AND d.err_reason IS NULL)`,
    reason: `format('appears again; first on line %s', (SELECT min(d.line) FROM import_stage d WHERE ${expr.replace(/\bs\./g, 'd.')} = ${expr} AND d.err_reason IS NULL))`,
  };
}

export interface Reference {
  /** The staging column receiving the id. */
  target: string;
  table: string;
  label: string;
  /** Our column holding the referred row's external id, if the kind has one. */
  byExternalId?: string;
  /** Our column holding another key, and the SQL of that key over the table aliased r. */
  byKey?: { column: string; sql: string; what: string };
  /** A new row must refer to one. */
  requiredForNew: boolean;
}

/** What the kinds refer to, by the keys a source system has. */
export const ownerRef: Reference = { target: 'owner_id', table: 'users', label: 'user', byKey: { column: 'ownerEmail', sql: 'lower(r.email)', what: 'email' }, requiredForNew: false };
export const campaignRef: Reference = { target: 'campaign_id', table: 'campaigns', label: 'campaign', byExternalId: 'campaignExternalId', requiredForNew: true };
export const leadRef: Reference = {
  target: 'lead_id',
  table: 'leads',
  label: 'lead',
  byExternalId: 'leadExternalId',
  byKey: { column: 'leadEmail', sql: 'lower(r.email)', what: 'email' },
  requiredForNew: true,
};
/** The account, by external id or domain: required for a new opportunity, optional for a lead. */
export const accountRef = (requiredForNew: boolean): Reference => ({
  target: 'account_id',
  table: 'accounts',
  label: 'account',
  byExternalId: 'accountExternalId',
  byKey: { column: 'accountDomain', sql: 'r.domain', what: 'domain' },
  requiredForNew,
});

/** Finds the referred rows by external id or key; an unknown reference fails, and so does a missing one where required. */
export function referenceSteps(ref: Reference, present: ReadonlySet<string>): Step[] {
  const steps: Step[] = [];
  const columns: string[] = [];
  const byKey = ref.byKey && present.has(ref.byKey.column) ? ref.byKey : null;
  if (byKey) {
    const c = `s.${sc(byKey.column)}`;
    columns.push(byKey.column);
    steps.push(
      { lookup: ref.target, sql: `(SELECT r.id FROM ${ref.table} r WHERE ${byKey.sql} = ${c})` },
      { column: byKey.column, where: `${c} IS NOT NULL AND s.${ref.target} IS NULL`, reason: `format('no ${ref.label} with ${byKey.what} "%s"', ${c})` },
    );
  }
  if (ref.byExternalId && present.has(ref.byExternalId)) {
    const c = `s.${sc(ref.byExternalId)}`;
    columns.push(ref.byExternalId);
    const found = `(SELECT r.id FROM ${ref.table} r WHERE r.external_id = ${c})`;
    if (byKey) {
      // both keys given: each must name a row, and the same one
      steps.push(
        { column: ref.byExternalId, where: `${c} IS NOT NULL AND ${found} IS NULL`, reason: `format('no ${ref.label} with externalId "%s"', ${c})` },
        {
          column: ref.byExternalId,
          where: `${c} IS NOT NULL AND s.${ref.target} IS NOT NULL AND s.${ref.target} <> ${found}`,
          reason: `'names another ${ref.label} than ${byKey.column}'`,
        },
        { lookup: ref.target, sql: found },
      );
    } else {
      // the column is empty before the look-up, so after it an external id that found nothing left it empty
      steps.push(
        { lookup: ref.target, sql: found },
        { column: ref.byExternalId, where: `${c} IS NOT NULL AND s.${ref.target} IS NULL`, reason: `format('no ${ref.label} with externalId "%s"', ${c})` },
      );
    }
  }
  if (ref.requiredForNew) {
    const first = ref.byExternalId ?? ref.byKey?.column ?? null;
    const names = [ref.byKey?.column, ref.byExternalId].filter((n): n is string => !!n).join(' or ');
    steps.push({
      column: columns[0] ?? first,
      // an existing row keeps its reference when the file has none of the columns
      where: `s.${ref.target} IS NULL AND (s.target_id IS NULL OR ${columns.length > 0 ? 'true' : 'false'})`,
      reason: lit(`is required (${names})`),
    });
  }
  return steps;
}

/** A field written from our column `column` when the file has it. */
export function fieldIf(present: ReadonlySet<string>, column: string, db: string, expr = `s.${sc(column)}`): Field[] {
  return present.has(column) ? [{ db, expr }] : [];
}

/** A field written from a reference's id when the file has any of its columns. */
export function refField(present: ReadonlySet<string>, columns: string[], db: string, target: string): Field[] {
  return columns.some((c) => present.has(c)) ? [{ db, expr: `s.${target}` }] : [];
}

/** A secondary unique key (email, domain) already held by another row of the table. */
export function takenCheck(column: string, table: string, keySql: string, label: string): Check {
  const other = `(SELECT coalesce(r.external_id, 'id ' || r.id) FROM ${table} r WHERE ${keySql} = s.${sc(column)} AND r.id IS DISTINCT FROM s.target_id LIMIT 1)`;
  return { column, where: `${other} IS NOT NULL`, reason: `format('is already used by another ${label} (externalId %s)', ${other})` };
}

/**
 * Custom attributes (the `attributes.<key>[:type]` columns, staged as one JSON object in
 * c_attributes): merged into the row's stored map (a key the row leaves empty keeps its value),
 * at most 200 per row.
 */
export function attributeSteps(table: string, label: string, present: ReadonlySet<string>): Step[] {
  if (!present.has('attributes')) return [];
  const count = '(SELECT count(*) FROM jsonb_object_keys(s.f_attributes))';
  return [
    {
      sql: `UPDATE import_stage s SET f_attributes = coalesce((SELECT r.attributes FROM ${table} r WHERE r.id = s.target_id), '{}'::jsonb)
                                                     || coalesce(s.c_attributes, '{}'::jsonb)`,
    },
    { column: 'attributes', where: `${count} > 200`, reason: `format('${label} has at most 200 attributes; this row would make %s', ${count})` },
  ];
}

/** The merged attributes, written when the file has attribute columns. */
export function attributeField(present: ReadonlySet<string>): Field[] {
  return present.has('attributes') ? [{ db: 'attributes', expr: 's.f_attributes' }] : [];
}
