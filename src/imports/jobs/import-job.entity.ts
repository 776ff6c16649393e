import { Field, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Node } from '../../graphql/node';
import { ImportFileFormat, ImportJobMode, ImportJobState } from './job-model';

/** One import: a file of one kind, or a bundle of files loaded in dependency order. */
@Entity('import_jobs')
@ObjectType('ImportJob', { implements: Node, description: 'An import of one file (or a bundle of files, one per kind) through the import engine.' })
export class ImportJob {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  @Field(() => ImportJobState, { description: 'Where the job is.' })
  state: ImportJobState;

  @Column({ type: 'text' })
  @Field(() => ImportFileFormat, { description: 'Format of its files.' })
  format: ImportFileFormat;

  @Column({ type: 'text' })
  @Field(() => ImportJobMode, { description: 'How rows meet stored ones, by externalId.' })
  mode: ImportJobMode;

  @Column({ type: 'boolean' })
  @Field({ description: 'All-or-nothing per file: one failed row and nothing of that file is applied.' })
  atomic: boolean;

  @Column({ name: 'created_by', type: 'text' })
  @Field({ description: 'Who created it ("key:<id>", "jwt:<subject>" or "cli").' })
  createdBy: string;

  @Column({ name: 'created_by_role', type: 'text' })
  createdByRole: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When its file was received and the job queued.' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the job last changed (progress included).' })
  updatedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it first started running; null while queued.' })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it ended (DONE, FAILED or CANCELLED).' })
  finishedAt: Date | null;

  @Column({ name: 'processed_rows', type: 'bigint' })
  processedRows: string;

  @Column({ name: 'created_rows', type: 'bigint' })
  createdRows: string;

  @Column({ name: 'updated_rows', type: 'bigint' })
  updatedRows: string;

  @Column({ name: 'unchanged_rows', type: 'bigint' })
  unchangedRows: string;

  @Column({ name: 'failed_rows', type: 'bigint' })
  failedRows: string;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the job FAILED (or was given up); null otherwise.' })
  message: string | null;

  @Column({ name: 'cancel_requested', type: 'boolean' })
  @Field({ description: 'cancelImport was called; a running job stops after its current batch.' })
  cancelRequested: boolean;

  @Column({ type: 'integer' })
  @Field(() => Int, { description: 'Times it was started: more than 1 when a restart of the API interrupted it and it was resumed.' })
  attempts: number;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;
}
