import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ConflictError, NotFoundError } from './errors';

/**
 * Loads a row for change, locked until the transaction ends, and checks the version the
 * client read (if it sent one): a stale version is a CONFLICT, nothing is changed.
 */
export async function lockForUpdate<T extends ObjectLiteral & { version: number }>(
  tx: EntityManager,
  entity: EntityTarget<T>,
  typeName: string,
  idField: string,
  id: string,
  expectedVersion: number | null | undefined,
): Promise<T> {
  const row = await tx.getRepository(entity).findOne({ where: { id } as never, lock: { mode: 'pessimistic_write' } });
  if (!row) throw new NotFoundError(idField, typeName, id);
  if (expectedVersion != null && row.version !== expectedVersion) {
    throw new ConflictError('input.version', `the ${typeName} is at version ${row.version}, not ${expectedVersion}: read it again`);
  }
  return row;
}
