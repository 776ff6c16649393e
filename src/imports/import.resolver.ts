import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionResult, PageArgs, resolvePage, toConnection } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { ConflictError, NotFoundError } from '../graphql/errors';
import { decodeId, fromGlobalId, toGlobalId } from '../graphql/node';
import { importLinks } from './import-http';
import { ImportJobOrder, listImportJobs } from './import-list';
import {
  CancelImportInput,
  CancelImportPayload,
  CreateImportInput,
  CreateImportPayload,
  ImportCountsType,
  ImportFileType,
  ImportJobConnection,
  ImportJobFilter,
  ImportRowErrorConnection,
  ImportRowErrorType,
} from './import.types';
import { ImportJob } from './jobs/import-job.entity';
import { countRowErrors, rowErrorsAfter, rowErrorsBefore } from './jobs/job-errors';
import { filesOfJobs, StoredImportFile } from './jobs/job-files';
import { createInlineImportJob } from './jobs/job-inline';
import { ImportFileFormat, ImportFileKind, ImportJobMode } from './jobs/job-model';
import { cancelImportJob, countsOf, findImportJob } from './jobs/job-service';
import { importJobSettingsFromEnv } from './jobs/job-settings';

const settings = importJobSettingsFromEnv();

/** The files of the jobs of a request, one query for a page of jobs. */
function filesOf(ctx: Context, jobId: string): Promise<StoredImportFile[]> {
  return ctx.loaders.get<string, StoredImportFile[]>('importJobFiles', async (ids) => {
    const byJob = await filesOfJobs(ctx.ds, ids);
    return ids.map((id) => byJob.get(id) ?? []);
  }).load(jobId);
}

function countsType(c: { created: number; updated: number; unchanged: number; failed: number }): ImportCountsType {
  return { created: c.created, updated: c.updated, unchanged: c.unchanged, failed: c.failed };
}

@Resolver(() => ImportJob)
export class ImportJobResolver {
  @FieldResolver(() => ID, { description: 'Global id of the job.' })
  id(@Root() job: ImportJob): string {
    return toGlobalId('ImportJob', job.id);
  }

  @FieldResolver(() => Int, { description: 'Rows processed so far, across its files (grows batch by batch while RUNNING).' })
  processedRows(@Root() job: ImportJob): number {
    return Number(job.processedRows);
  }

  @FieldResolver(() => ImportCountsType, { description: 'What was done with the rows of its finished files.' })
  counts(@Root() job: ImportJob): ImportCountsType {
    return countsType(countsOf(job));
  }

  @FieldResolver(() => [ImportFileType], { description: 'Its files, in the order they load.' })
  async files(@Ctx() ctx: Context, @Root() job: ImportJob): Promise<ImportFileType[]> {
    return (await filesOf(ctx, job.id)).map((f) => ({
      kind: f.kind as ImportFileKind,
      preset: f.preset,
      mapping: Object.entries(f.mapping ?? {}).map(([source, column]) => ({ source, column })),
      bytes: f.bytes,
      done: f.done,
      processedRows: f.processedRows,
      counts: countsType({ created: f.createdRows, updated: f.updatedRows, unchanged: f.unchangedRows, failed: f.failedRows }),
    }));
  }

  @FieldResolver(() => String, { description: 'Path of the job\'s status on this API (GET, JSON).' })
  statusUrl(@Root() job: ImportJob): string {
    return importLinks(toGlobalId('ImportJob', job.id)).self;
  }

  @FieldResolver(() => String, {
    description:
      'Path of the error report on this API (GET, CSV): the file\'s columns plus _line, _column, _reason; fixed, it imports as is. A bundle takes `?kind=`.',
  })
  errorsCsvUrl(@Root() job: ImportJob): string {
    return importLinks(toGlobalId('ImportJob', job.id)).errorsCsv;
  }

  @FieldResolver(() => ImportRowErrorConnection, { description: 'The rows that failed, file by file in file order.' })
  async errors(@Ctx() ctx: Context, @Root() job: ImportJob, @Args() args: PageArgs): Promise<ConnectionResult<ImportRowErrorType>> {
    const page = resolvePage(args, 'id:ASC', ctx.config.maxPageSize);
    const files = await filesOf(ctx, job.id);
    const kindOf = new Map(files.map((f) => [f.fileNo, f.kind as ImportFileKind]));
    const cursorId = page.cursor?.id ?? null;
    const rows = page.backwards
      ? await rowErrorsBefore(ctx.ds, job.id, cursorId, page.limit + 1)
      : await rowErrorsAfter(ctx.ds, job.id, cursorId, page.limit + 1);
    return toConnection(
      rows.map((e) => ({
        id: e.id,
        __sort: e.id,
        kind: kindOf.get(e.fileNo) ?? ImportFileKind.ACCOUNTS,
        line: e.line,
        column: e.column,
        reason: e.reason,
        values: e.values.map(([name, value]) => ({ name, value })),
      })),
      page,
      'id:ASC',
      () => countRowErrors(ctx.ds, job.id),
    );
  }

  @Query(() => ImportJob, { nullable: true, description: 'One import job by id; null when there is none (ADMIN and REVENUE_OPS).' })
  import(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Global id of the job.' }) id: string): Promise<ImportJob | null> | null {
    const decoded = fromGlobalId(id);
    return decoded?.type === 'ImportJob' ? findImportJob(ctx.ds, decoded.id) : null;
  }

  @Query(() => ImportJobConnection, { description: 'Import jobs, newest first (ADMIN and REVENUE_OPS).' })
  imports(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => ImportJobFilter, { nullable: true, description: 'Which jobs.' }) filter?: ImportJobFilter,
    @Arg('orderBy', () => ImportJobOrder, { nullable: true, description: 'Order; ties break on id. Newest first unless told otherwise.' }) orderBy?: ImportJobOrder,
  ) {
    return listImportJobs(ctx, filter, orderBy, page);
  }

  @Mutation(() => CreateImportPayload, {
    description:
      'Queues an import of small files given inline (ADMIN and REVENUE_OPS); large files go to POST /imports as the request body. Poll `import(id)`.',
  })
  async createImport(@Ctx() ctx: Context, @Arg('input', () => CreateImportInput) input: CreateImportInput): Promise<CreateImportPayload> {
    const id = await createInlineImportJob(
      ctx,
      {
        format: input.format ?? ImportFileFormat.CSV,
        mode: input.mode ?? ImportJobMode.UPSERT,
        atomic: input.atomic ?? false,
        files: input.files.map((f) => ({
          kind: f.kind,
          content: f.content,
          preset: f.preset ?? null,
          mapping: f.mapping?.length ? Object.fromEntries(f.mapping.map((m) => [m.source, m.column])) : null,
        })),
      },
      settings,
    );
    const job = await findImportJob(ctx.ds, id);
    if (!job) throw new Error(`import job ${id} vanished after it was created`);
    return { importJob: job };
  }

  @Mutation(() => CancelImportPayload, {
    description: 'Cancels an import job (ADMIN and REVENUE_OPS): a queued one at once, a running one after its current batch.',
  })
  async cancelImport(@Ctx() ctx: Context, @Arg('input', () => CancelImportInput) input: CancelImportInput): Promise<CancelImportPayload> {
    const id = decodeId('input.id', 'ImportJob', input.id);
    const outcome = await cancelImportJob(ctx.ds, id);
    if ('notFound' in outcome) throw new NotFoundError('input.id', 'ImportJob', input.id);
    if ('alreadyFinal' in outcome) throw new ConflictError('input.id', `the job is already ${outcome.alreadyFinal.state}`);
    return { importJob: outcome.job };
  }
}
