import { Field, InputType, registerEnumType } from 'type-graphql';
import { SortDirection } from '../common/enums';
import { fetchPage } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { addUpdatedAfter, namedSortOf, NamedSort } from '../graphql/ordering';
import type { ImportJobFilter } from './import.types';
import { ImportJob } from './jobs/import-job.entity';

export enum ImportJobOrderField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(ImportJobOrderField, { name: 'ImportJobOrderField', description: 'What to order import jobs by.' });

@InputType({ description: 'Order of a list of import jobs; ties break on id.' })
export class ImportJobOrder {
  @Field(() => ImportJobOrderField, { description: 'Field to order by.' })
  field: ImportJobOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

const JOB_ORDER: Record<ImportJobOrderField, NamedSort> = {
  [ImportJobOrderField.CREATED_AT]: { column: 't.created_at', name: 'createdAt' },
  [ImportJobOrderField.UPDATED_AT]: { column: 't.updated_at', name: 'updatedAt' },
};

/** Import jobs, newest first (by id, the cursors' order before orderBy existed) unless told otherwise; a job still uploading is shown to no one. */
export function listImportJobs(
  ctx: Context,
  filter: ImportJobFilter | undefined,
  order: ImportJobOrder | undefined,
  page: PageArgs,
): Promise<ConnectionResult<ImportJob>> {
  const params = new SqlParams();
  const where = [`t.state <> 'UPLOADING'`];
  if (filter?.states?.length) where.push(`t.state = ANY(${params.add(filter.states)}::text[])`);
  if (filter?.kinds?.length) {
    where.push(`EXISTS (SELECT 1 FROM import_job_files f WHERE f.job_id = t.id AND f.kind = ANY(${params.add(filter.kinds)}::text[]))`);
  }
  addUpdatedAfter(where, (v) => params.add(v), filter?.updatedAfter, 'filter.updatedAfter');
  const sort = namedSortOf(JOB_ORDER, order, { column: 't.id', name: 'id', direction: SortDirection.DESC });
  return fetchPage<ImportJob>(ctx, { entity: ImportJob, where, params, ...sort }, page);
}
