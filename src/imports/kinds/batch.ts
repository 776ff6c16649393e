import type { PoolClient } from 'pg';
import { copyRows } from '../../seed/copy-loader';
import { copyValue, SQL_TYPE, stageColumn } from '../columns';
import type { ImportCounts, ImportOptions, ImportRowError } from '../engine';
import { Check, Compute, KindSpec, lit, Lookup, OK, Step, StepContext } from './kind';
import type { MappedRow } from './rows';

/** Rows per batch: one COPY, one set of checks and one upsert per batch; memory holds one batch. */
export const BATCH_ROWS = 20_000;

/** A step as run: look-ups put together (see Lookup), checks and computes as they are. */
type Planned = Check | Compute | { lookups: Lookup[] };

const isCheck = (step: Step | Planned): step is Check => 'where' in step;
const isLookup = (step: Step): step is Lookup => 'lookup' in step;
/** Whether SQL over the staging row `s` reads its column `column` (`s.<column>`). */
const reads = (sql: string, column: string): boolean => new RegExp(`\\bs\\.${column}\\b`).test(sql);

/**
 * The steps in the order they run, look-ups gathered: a look-up joins the latest group when no
 * compute follows that group and no check after it reads the look-up's column (its
 * `s.<column>`); else it starts a group of its own. What each check sees is what it saw in the
 * written order: the columns it reads were set by the same look-ups before it.
 */
export function planSteps(steps: readonly Step[]): Planned[] {
  const planned: Planned[] = [];
  for (const step of steps) {
    if (!isLookup(step)) {
      planned.push(step);
      continue;
    }
    let joined = false;
    for (let i = planned.length - 1; i >= 0; i--) {
      const p = planned[i] as Planned;
      if ('lookups' in p) {
        // not a second look-up of a column of the group, nor one that reads a column the group sets
        if (!p.lookups.some((l) => l.lookup === step.lookup || reads(step.sql, l.lookup))) {
          p.lookups.push(step);
          joined = true;
        }
        break;
      }
      if (!isCheck(p) || reads(p.where, step.lookup) || reads(p.reason, step.lookup)) break;
    }
    if (!joined) planned.push({ lookups: [step] });
  }
  return planned;
}

/**
 * One UPDATE for a group of look-ups: every staged row is probed once per look-up (index
 * probes, whatever the size of the looked-up table), and only rows that found something get a
 * new version.
 */
export function lookupSql(lookups: readonly Lookup[]): string {
  const found = lookups.map((l) => `x.${l.lookup} IS NOT NULL`).join(' OR ');
  return `UPDATE import_stage u SET ${lookups.map((l) => `${l.lookup} = coalesce(x.${l.lookup}, u.${l.lookup})`).join(', ')}
    FROM (SELECT s.line${lookups.map((l) => `, ${l.sql} AS ${l.lookup}`).join('')} FROM import_stage s) x
   WHERE x.line = u.line AND (${found})`;
}

/**
 * Runs the batches of one import on one connection: each is COPYed into the temporary table
 * import_stage, checked and applied set-based, in a transaction of its own (or all in one when
 * atomic). Should the database still refuse the batch's writes (a case no check foresaw), the
 * batch is applied again row by row under savepoints, so only the refused rows fail.
 */
export class BatchRunner {
  private stageColumns: string[] = [];
  private targetColumns = new Set<string>();
  private inTransaction = false;
  private batchNumber = 0;

  constructor(
    private readonly client: PoolClient,
    private readonly spec: KindSpec,
    private readonly options: ImportOptions,
    private readonly counts: ImportCounts,
    private readonly onError: (error: ImportRowError) => void | Promise<void>,
  ) {}

  async start(): Promise<void> {
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
      [this.spec.table],
    );
    this.targetColumns = new Set(rows.map((r) => r.name));
    this.stageColumns = this.spec.columns.map((c) => stageColumn(c.name));
    const definitions = [
      'line integer NOT NULL',
      ...this.spec.columns.map((c) => `${stageColumn(c.name)} ${SQL_TYPE[c.type]}`),
      'target_id bigint',
      ...this.spec.extra,
      'err_column text',
      'err_reason text',
      'pick boolean NOT NULL DEFAULT true',
    ];
    await this.client.query('DROP TABLE IF EXISTS pg_temp.import_stage');
    await this.client.query(`CREATE TEMP TABLE import_stage (${definitions.join(', ')})`);
    // the checks look up other rows of the batch by these keys (repeats, first line): without an
    // index each such check is quadratic in the batch (20,000 rows: seconds per check)
    for (const column of this.spec.columns.filter((c) => c.name === 'externalId' || c.type === 'email' || c.type === 'domain')) {
      await this.client.query(`CREATE INDEX ON import_stage (${stageColumn(column.name)}, line)`);
    }
    if (this.options.atomic) await this.begin();
  }

  private async begin(): Promise<void> {
    await this.client.query('BEGIN');
    this.inTransaction = true;
    await this.client.query('SET LOCAL statement_timeout = 0');
    // imports of one kind one at a time: two files naming one new external id cannot both insert it
    await this.client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`import:${this.spec.kind}`]);
  }

  async run(batch: MappedRow[]): Promise<void> {
    this.options.signal?.throwIfAborted();
    this.batchNumber++;
    const failedEarly = batch.filter((row) => row.error !== null);
    const staged = batch.filter((row) => row.error === null);
    const present = new Set<string>();
    for (const row of staged) for (const key of row.cells.keys()) present.add(key);
    const ctx: StepContext = { present, actorRole: this.options.actorRole };
    if (!this.options.atomic) await this.begin();
    let result: Awaited<ReturnType<BatchRunner['applyBatch']>>;
    try {
      await this.client.query('TRUNCATE import_stage');
      const copyColumns = ['line', ...this.spec.columns.filter((c) => present.has(c.name)).map((c) => stageColumn(c.name))];
      const names = this.spec.columns.filter((c) => present.has(c.name)).map((c) => c.name);
      await copyRows(this.client, 'import_stage', copyColumns, staged.map((row) => `${row.line}\t${names.map((n) => copyValue(row.cells.get(n) ?? null)).join('\t')}\n`));
      await this.client.query('ANALYZE import_stage');
      for (const step of planSteps([...this.genericSteps(ctx), ...this.spec.steps(ctx)])) await this.step(step);
      result = await this.applyBatch(ctx, staged);
      const failed = result.errors.length + failedEarly.length;
      await this.client.query(
        `INSERT INTO audit_log (actor, actor_role, request_id, mutation, object_type, object_id, action, after)
         VALUES ($1, $2, $3, 'import', $4, $3, 'INSERT', $5)`,
        [this.options.actor, this.options.actorRole, this.options.jobId ?? null, this.spec.table, JSON.stringify({
          job: this.options.jobId ?? null, kind: this.spec.kind, mode: this.options.mode ?? 'UPSERT', batch: this.batchNumber,
          lines: [batch[0]?.line ?? null, batch[batch.length - 1]?.line ?? null],
          created: result.created, updated: result.updated, unchanged: result.unchanged, failed,
        })],
      );
      if (!this.options.atomic) await this.commit();
    } catch (error) {
      if (!this.options.atomic) await this.rollback();
      throw error;
    }
    const byLine = new Map(batch.map((row) => [row.line, row]));
    const errors = [
      ...failedEarly.map((row) => ({ line: row.line, column: row.error?.column ?? null, reason: row.error?.reason ?? '', values: row.values })),
      ...result.errors.map((e) => ({ ...e, values: byLine.get(e.line)?.values ?? {} })),
    ].sort((a, b) => a.line - b.line);
    this.counts.processed += batch.length;
    this.counts.created += result.created;
    this.counts.updated += result.updated;
    this.counts.unchanged += result.unchanged;
    this.counts.failed += errors.length;
    for (const error of errors) await this.onError(error);
    this.options.onProgress?.(this.counts.processed);
  }

  /** The target row by external id, repeats within the batch, the mode, and the columns a new row needs. */
  private genericSteps({ present }: StepContext): Step[] {
    const { table, label } = this.spec;
    const mode = this.options.mode ?? 'UPSERT';
    const first = `(SELECT min(d.line) FROM import_stage d WHERE d.c_external_id = s.c_external_id)`;
    const steps: Step[] = [
      { lookup: 'target_id', sql: `(SELECT t.id FROM ${table} t WHERE t.external_id = s.c_external_id)` },
      { column: 'externalId', where: `s.line > ${first}`, reason: `format('appears again; first on line %s', ${first})` },
    ];
    if (mode === 'CREATE') {
      steps.push({ column: 'externalId', where: 's.target_id IS NOT NULL', reason: `format('a ${label} with externalId "%s" already exists (mode CREATE)', s.c_external_id)` });
    }
    if (mode === 'UPDATE') {
      steps.push({ column: 'externalId', where: 's.target_id IS NULL', reason: `format('no ${label} with externalId "%s" (mode UPDATE)', s.c_external_id)` });
    }
    for (const column of this.spec.columns) {
      if (column.required && !present.has(column.name)) {
        steps.push({ column: column.name, where: 's.target_id IS NULL', reason: lit(`is required for a new ${label}`) });
      }
    }
    return steps;
  }

  private async step(step: Planned): Promise<void> {
    if ('lookups' in step) {
      await this.client.query(lookupSql(step.lookups));
      return;
    }
    if (!isCheck(step)) {
      await this.client.query(step.sql);
      return;
    }
    await this.client.query(
      `UPDATE import_stage s SET err_column = $1, err_reason = ${step.reason} WHERE s.err_reason IS NULL AND (${step.where})`,
      [step.column],
    );
  }

  private async applyBatch(ctx: StepContext, staged: MappedRow[]) {
    let created = 0;
    let updated = 0;
    await this.client.query('SAVEPOINT import_batch');
    try {
      ({ created, updated } = await this.apply(ctx));
      await this.client.query('RELEASE SAVEPOINT import_batch');
    } catch {
      await this.client.query('ROLLBACK TO SAVEPOINT import_batch');
      ({ created, updated } = await this.applyRowByRow(ctx, staged));
    }
    const [after] = (
      await this.client.query<{ existing: number }>(`SELECT count(*) FILTER (WHERE target_id IS NOT NULL)::int AS existing FROM import_stage s WHERE ${OK}`)
    ).rows;
    const { rows } = await this.client.query<{ line: number; column: string | null; reason: string }>(
      `SELECT line, err_column AS column, err_reason AS reason FROM import_stage WHERE err_reason IS NOT NULL ORDER BY line`,
    );
    return { created, updated, unchanged: (after?.existing ?? 0) - updated, errors: rows };
  }

  private async applyRowByRow(ctx: StepContext, staged: MappedRow[]): Promise<{ created: number; updated: number }> {
    let created = 0;
    let updated = 0;
    await this.client.query('UPDATE import_stage SET pick = false');
    for (const { line } of staged) {
      const { rowCount } = await this.client.query(`UPDATE import_stage SET pick = true WHERE line = $1 AND err_reason IS NULL`, [line]);
      if (!rowCount) continue;
      await this.client.query('SAVEPOINT import_row');
      try {
        const one = await this.apply(ctx);
        created += one.created;
        updated += one.updated;
        await this.client.query('RELEASE SAVEPOINT import_row');
      } catch (error) {
        await this.client.query('ROLLBACK TO SAVEPOINT import_row');
        const reason = `the database refused the row: ${error instanceof Error ? error.message : String(error)}`;
        await this.client.query(`UPDATE import_stage SET err_column = NULL, err_reason = $2 WHERE line = $1`, [line, reason]);
      }
      await this.client.query(`UPDATE import_stage SET pick = false WHERE line = $1`, [line]);
    }
    await this.client.query('UPDATE import_stage SET pick = true');
    return { created, updated };
  }

  /** Inserts the new rows and updates the existing ones that differ; returns how many of each. */
  private async apply(ctx: StepContext): Promise<{ created: number; updated: number }> {
    const { table } = this.spec;
    const fields = this.spec.fields(ctx);
    for (const sql of this.spec.beforeUpdate?.(ctx) ?? []) await this.client.query(sql);
    const changing = fields.filter((f) => !f.insertOnly);
    let updated = 0;
    const also = this.spec.changedAlso?.(ctx) ?? null;
    if (changing.length > 0 || also) {
      const bump = [
        ...(this.targetColumns.has('updated_at') ? ['updated_at = now()'] : []),
        ...(this.targetColumns.has('version') ? ['version = t.version + 1'] : []),
      ];
      const sets = [...(changing.length > 0 ? [`(${changing.map((f) => f.db).join(', ')}) = ROW(${changing.map((f) => f.expr).join(', ')})`] : []), ...bump];
      const differs = [
        ...(changing.length > 0 ? [`ROW(${changing.map((f) => `t.${f.db}`).join(', ')}) IS DISTINCT FROM ROW(${changing.map((f) => f.expr).join(', ')})`] : []),
        ...(also ? [also] : []),
      ];
      // a file of new rows only (a first load) spares the join with the whole table
      if (sets.length > 0 && (await this.anyExisting())) {
        const result = await this.client.query(
          `UPDATE ${table} t SET ${sets.join(', ')} FROM import_stage s WHERE t.id = s.target_id AND ${OK} AND (${differs.join(' OR ')})`,
        );
        updated = result.rowCount ?? 0;
      }
    }
    for (const sql of this.spec.afterUpdate?.(ctx) ?? []) await this.client.query(sql);
    const insert = `INSERT INTO ${table} (external_id${fields.map((f) => `, ${f.db}`).join('')})
      SELECT s.c_external_id${fields.map((f) => `, ${f.expr}`).join('')} FROM import_stage s
       WHERE ${OK} AND s.target_id IS NULL ORDER BY s.line
      ON CONFLICT (external_id) DO NOTHING`;
    let created: number;
    if (this.spec.afterInsert) {
      const result = await this.client.query(
        `WITH inserted AS (${insert} RETURNING id, external_id)
         UPDATE import_stage s SET new_id = i.id FROM inserted i WHERE s.c_external_id = i.external_id AND s.target_id IS NULL`,
      );
      created = result.rowCount ?? 0;
      for (const sql of this.spec.afterInsert(ctx)) await this.client.query(sql);
    } else {
      created = (await this.client.query(insert)).rowCount ?? 0;
    }
    return { created, updated };
  }

  /** Whether a staged row still to apply names an existing row. */
  private async anyExisting(): Promise<boolean> {
    const { rows } = await this.client.query<{ some: boolean }>(`SELECT EXISTS (SELECT 1 FROM import_stage s WHERE ${OK} AND s.target_id IS NOT NULL) AS some`);
    return rows[0]?.some === true;
  }

  private async commit(): Promise<void> {
    await this.client.query('COMMIT');
    this.inTransaction = false;
  }

  private async rollback(): Promise<void> {
    if (this.inTransaction) await this.client.query('ROLLBACK').catch(() => undefined);
    this.inTransaction = false;
  }

  /** Ends the import: the atomic transaction commits only when no row failed. */
  async finish(): Promise<void> {
    if (this.options.atomic) {
      if (this.counts.failed > 0) {
        await this.rollback();
        this.counts.created = 0;
        this.counts.updated = 0;
        this.counts.unchanged = 0;
      } else {
        await this.commit();
      }
    }
    await this.client.query('DROP TABLE IF EXISTS pg_temp.import_stage');
  }

  /** After a failure: nothing of an atomic import stays. */
  async abandon(): Promise<void> {
    await this.rollback();
    await this.client.query('DROP TABLE IF EXISTS pg_temp.import_stage').catch(() => undefined);
  }
}
