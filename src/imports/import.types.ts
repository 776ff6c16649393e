import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { connectionTypes } from '../graphql/connection';
import { ImportJob } from './jobs/import-job.entity';
import { ImportFileFormat, ImportFileKind, ImportJobMode, ImportJobState } from './jobs/job-model';

@ObjectType('ImportCounts', { description: 'What an import did with its rows.' })
export class ImportCountsType {
  @Field(() => Int, { description: 'Rows stored that were not there.' })
  created: number;

  @Field(() => Int, { description: 'Stored rows that changed.' })
  updated: number;

  @Field(() => Int, { description: 'Rows already stored as they are: re-importing a file counts every row here.' })
  unchanged: number;

  @Field(() => Int, { description: 'Rows that failed (see `errors`); with `atomic`, any failure means nothing of the file was applied.' })
  failed: number;
}

@ObjectType('ImportColumnMapping', { description: 'One source header read as one of the kind\'s columns.' })
export class ImportColumnMapping {
  @Field({ description: 'Header in the file.' })
  source: string;

  @Field({ description: 'Column of the kind it stands for (docs/import.md).' })
  column: string;
}

@ObjectType('ImportFile', { description: 'One file of an import job (a bundle has one per kind, loaded in dependency order).' })
export class ImportFileType {
  @Field(() => ImportFileKind, { description: 'What the file holds.' })
  kind: ImportFileKind;

  @Field(() => String, { nullable: true, description: 'Header preset it is read with, e.g. "hubspot-contacts".' })
  preset: string | null;

  @Field(() => [ImportColumnMapping], { description: 'Headers mapped by hand (over the preset).' })
  mapping: ImportColumnMapping[];

  @Field(() => Float, { description: 'Size of the file in bytes.' })
  bytes: number;

  @Field({ description: 'Every row of the file was processed.' })
  done: boolean;

  @Field(() => Int, { description: 'Rows of the file processed (once done; 0 before).' })
  processedRows: number;

  @Field(() => ImportCountsType, { description: 'What was done with its rows (once done).' })
  counts: ImportCountsType;
}

@ObjectType('ImportFieldValue', { description: 'One value of a failed row, under its header in the file.' })
export class ImportFieldValue {
  @Field({ description: 'Header (CSV) or key (JSON lines) in the file.' })
  name: string;

  @Field({ description: 'The value as it was in the file.' })
  value: string;
}

@ObjectType('ImportRowError', { description: 'A row that failed, with where and why, and the row as it was.' })
export class ImportRowErrorType {
  id: string;

  @Field(() => ImportFileKind, { description: 'Kind of the file the row is in.' })
  kind: ImportFileKind;

  @Field(() => Int, { description: 'Line of the file where the row starts (a CSV\'s header is line 1).' })
  line: number;

  @Field(() => String, { nullable: true, description: 'Column the failure is about; null when it is about the row as a whole.' })
  column: string | null;

  @Field({ description: 'Why the row failed.' })
  reason: string;

  @Field(() => [ImportFieldValue], { description: 'The row as it was, in the file\'s order.' })
  values: ImportFieldValue[];
}

export const { ConnectionType: ImportJobConnection } = connectionTypes(ImportJob, 'ImportJob', 'import jobs');
export const { ConnectionType: ImportRowErrorConnection } = connectionTypes(ImportRowErrorType, 'ImportRowError', 'failed rows');

@InputType('ImportColumnMappingInput', { description: 'One source header read as one of the kind\'s columns.' })
export class ImportColumnMappingInput {
  @Field({ description: 'Header in the file.' })
  source: string;

  @Field({ description: 'Column of the kind it stands for (docs/import.md).' })
  column: string;
}

@InputType('ImportFileInput', { description: 'One file of a new import, given inline (for small files; larger ones go to POST /imports).' })
export class ImportFileInput {
  @Field(() => ImportFileKind, { description: 'What the file holds.' })
  kind: ImportFileKind;

  @Field({ description: 'The whole file as text: CSV with its header row, or JSON lines. The request body limit (MAX_BODY_BYTES) bounds it.' })
  content: string;

  @Field(() => String, { nullable: true, description: 'Header preset, e.g. "hubspot-contacts" or "salesforce-opportunities" (docs/import.md).' })
  preset?: string | null;

  @Field(() => [ImportColumnMappingInput], { nullable: true, description: 'Headers to read as columns, over the preset.' })
  mapping?: ImportColumnMappingInput[] | null;
}

@InputType('CreateImportInput', { description: 'A new import job: one file, or a bundle of files of different kinds.' })
export class CreateImportInput {
  @Field(() => [ImportFileInput], { description: 'The files, at most one per kind; they load in dependency order whatever the order given.' })
  files: ImportFileInput[];

  @Field(() => ImportFileFormat, { nullable: true, description: 'Format of every file (default CSV).' })
  format?: ImportFileFormat | null;

  @Field(() => ImportJobMode, { nullable: true, description: 'How rows meet stored ones (default UPSERT).' })
  mode?: ImportJobMode | null;

  @Field(() => Boolean, { nullable: true, description: 'All-or-nothing per file (default false: bad rows never stop good ones).' })
  atomic?: boolean | null;
}

@ObjectType('CreateImportPayload', { description: 'Result of createImport.' })
export class CreateImportPayload {
  @Field(() => ImportJob, { description: 'The job, QUEUED; poll `import(id)` (or GET its statusUrl) until it is DONE.' })
  importJob: ImportJob;
}

@InputType('CancelImportInput', { description: 'Cancels an import job.' })
export class CancelImportInput {
  @Field(() => ID, { description: 'Global id of the job.' })
  id: string;
}

@ObjectType('CancelImportPayload', { description: 'Result of cancelImport.' })
export class CancelImportPayload {
  @Field(() => ImportJob, { description: 'The job: CANCELLED, or still RUNNING with `cancelRequested` until its current batch ends.' })
  importJob: ImportJob;
}

@InputType('ImportJobFilter', { description: 'Which import jobs to list.' })
export class ImportJobFilter {
  @Field(() => [ImportJobState], { nullable: true, description: 'Only jobs in these states.' })
  states?: ImportJobState[] | null;

  @Field(() => [ImportFileKind], { nullable: true, description: 'Only jobs with a file of one of these kinds.' })
  kinds?: ImportFileKind[] | null;

  @Field(() => Date, { nullable: true, description: 'Only jobs changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}
