import { SortDirection } from '../common/enums';
import { fetchPage } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { addRange, addUpdatedAfter, namedSortOf, NamedSort } from '../graphql/ordering';
import { AuditEntry } from './audit-entry.entity';
import { AuditFilter, AuditOrder, AuditOrderField } from './auth.types';

const AUDIT_ORDER: Record<AuditOrderField, NamedSort> = {
  [AuditOrderField.AT]: { column: 't.at', name: 'at' },
  [AuditOrderField.UPDATED_AT]: { column: 't.updated_at', name: 'updatedAt' },
};

/** Newest first (by sequence number, the cursors' "id" order before orderBy existed). */
const NEWEST_FIRST = { column: 't.id', name: 'id', direction: SortDirection.DESC };

/** The audit log, filtered, newest first unless told otherwise (`auditLog`, ADMIN only). */
export function listAuditEntries(
  ctx: Context,
  filter: AuditFilter | undefined,
  order: AuditOrder | undefined,
  page: PageArgs,
): Promise<ConnectionResult<AuditEntry>> {
  const params = new SqlParams();
  const add = (v: unknown) => params.add(v);
  const where: string[] = [];
  if (filter?.actor) where.push(`t.actor = ${add(filter.actor)}`);
  if (filter?.mutation) where.push(`t.mutation = ${add(filter.mutation)}`);
  if (filter?.objectType) where.push(`t.object_type = ${add(filter.objectType)}`);
  if (filter?.objectId) where.push(`t.object_id = ${add(filter.objectId)}`);
  addRange(where, add, 't.at', filter?.at, 'filter.at');
  addUpdatedAfter(where, add, filter?.updatedAfter, 'filter.updatedAfter');
  return fetchPage<AuditEntry>(ctx, { entity: AuditEntry, where, params, ...namedSortOf(AUDIT_ORDER, order, NEWEST_FIRST) }, page);
}
