import type { Context } from '../../graphql/context';
import { BadInputError } from '../../graphql/errors';
import { runMutation } from '../../graphql/mutation';
import type { ImportFormat, ImportKind, ImportMode } from '../engine';
import { jobQueued } from './job-runner';

/** One inline file of createImport. */
export interface InlineImportFile {
  kind: ImportKind;
  content: string;
  preset: string | null;
  mapping: Record<string, string> | null;
}

/**
 * createImport: stores the job, its files (as chunks of `chunkBytes`) and queues it, in the
 * mutation's own transaction (so an Idempotency-Key's claim commits with it). Returns its id.
 */
export async function createInlineImportJob(
  ctx: Context,
  spec: { format: ImportFormat; mode: ImportMode; atomic: boolean; files: InlineImportFile[] },
  limits: { maxBytes: number; chunkBytes: number },
): Promise<string> {
  if (spec.files.length === 0) throw new BadInputError('input.files', 'needs at least one file');
  const kinds = new Set<string>();
  for (const [i, file] of spec.files.entries()) {
    if (kinds.has(file.kind)) throw new BadInputError(`input.files[${i}].kind`, `${file.kind} is given twice: one file per kind`);
    kinds.add(file.kind);
    if (Buffer.byteLength(file.content, 'utf8') > limits.maxBytes) {
      throw new BadInputError(`input.files[${i}].content`, `exceeds ${limits.maxBytes} bytes (IMPORT_MAX_BYTES)`);
    }
    if (file.preset !== null && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(file.preset)) {
      throw new BadInputError(`input.files[${i}].preset`, 'is not the name of a preset (e.g. hubspot-contacts)');
    }
  }
  const actor = ctx.actor;
  const id = await runMutation(ctx, async (tx) => {
    const [row] = (await tx.query(
      `INSERT INTO import_jobs (state, format, mode, atomic, created_by, created_by_role)
       VALUES ('QUEUED', $1, $2, $3, $4, $5) RETURNING id::text`,
      [spec.format, spec.mode, spec.atomic, actor?.id ?? 'system', actor?.role ?? 'SYSTEM'],
    )) as { id: string }[];
    const jobId = (row as { id: string }).id;
    for (const [fileNo, file] of spec.files.entries()) {
      const bytes = Buffer.from(file.content, 'utf8');
      await tx.query(`INSERT INTO import_job_files (job_id, file_no, kind, preset, mapping, bytes) VALUES ($1, $2, $3, $4, $5, $6)`, [
        jobId,
        fileNo,
        file.kind,
        file.preset,
        file.mapping ? JSON.stringify(file.mapping) : null,
        bytes.length,
      ]);
      for (let seq = 0, at = 0; at < bytes.length; seq++, at += limits.chunkBytes) {
        await tx.query(`INSERT INTO import_job_chunks (job_id, file_no, seq, data) VALUES ($1, $2, $3, $4)`, [
          jobId,
          fileNo,
          seq,
          bytes.subarray(at, at + limits.chunkBytes),
        ]);
      }
    }
    return jobId;
  });
  jobQueued();
  return id;
}
