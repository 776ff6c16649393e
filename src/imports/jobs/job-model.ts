import { registerEnumType } from 'type-graphql';
import type { ImportFormat, ImportKind, ImportMode } from '../engine';

/** Where a job is: QUEUED → RUNNING → DONE | FAILED | CANCELLED (UPLOADING, while its file arrives, is shown to no one). */
export enum ImportJobState {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/** What a file holds: GraphQL names in capitals, the engine's (and the HTTP door's) in lower case. */
export enum ImportFileKind {
  ACCOUNTS = 'accounts',
  USERS = 'users',
  CAMPAIGNS = 'campaigns',
  SPEND = 'spend',
  LEADS = 'leads',
  TOUCHPOINTS = 'touchpoints',
  OPPORTUNITIES = 'opportunities',
  FEEDBACK = 'feedback',
}

export enum ImportFileFormat {
  CSV = 'csv',
  JSONL = 'jsonl',
}

export enum ImportJobMode {
  CREATE = 'CREATE',
  UPDATE = 'UPDATE',
  UPSERT = 'UPSERT',
}

export const FINAL_STATES: readonly ImportJobState[] = [ImportJobState.DONE, ImportJobState.FAILED, ImportJobState.CANCELLED];

export const KIND_VALUES: readonly ImportKind[] = Object.values(ImportFileKind);
export const FORMAT_VALUES: readonly ImportFormat[] = Object.values(ImportFileFormat);
export const MODE_VALUES: readonly ImportMode[] = Object.values(ImportJobMode);

registerEnumType(ImportJobState, {
  name: 'ImportJobState',
  description: 'Where an import job is.',
  valuesConfig: {
    QUEUED: { description: 'Stored, waiting for a replica to run it.' },
    RUNNING: { description: 'Being imported; `processedRows` grows batch by batch.' },
    DONE: { description: 'Every row was processed (some may have failed: see `counts.failed` and `errors`).' },
    FAILED: { description: 'The file could not be imported (see `message`); with `atomic`, a failed row failed it all and nothing was applied.' },
    CANCELLED: { description: 'Cancelled; batches committed before stay (re-running the file is idempotent).' },
  },
});
registerEnumType(ImportFileKind, { name: 'ImportKind', description: 'What an import file holds (docs/import.md has the columns of each).' });
registerEnumType(ImportFileFormat, { name: 'ImportFormat', description: 'CSV (RFC 4180, header row, UTF-8 with or without BOM) or JSON lines.' });
registerEnumType(ImportJobMode, {
  name: 'ImportMode',
  description: 'How rows meet stored ones, by `externalId`.',
  valuesConfig: {
    CREATE: { description: 'Only new external ids; a row whose external id exists fails.' },
    UPDATE: { description: 'Only existing external ids; a row whose external id is unknown fails.' },
    UPSERT: { description: 'Either (the default): re-running the same file changes nothing.' },
  },
});
