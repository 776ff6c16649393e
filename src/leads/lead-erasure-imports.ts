import type { EntityManager } from 'typeorm';
import { countOf, RowCount } from '../common/corrections';

/*
 * The person's data in import jobs (src/imports/): the failed rows kept with their original
 * values for the error report, and the uploaded files themselves. Erasure deletes the failed
 * rows that show the person, and the files of finished jobs (DONE, FAILED, CANCELLED) that hold
 * the email; the jobs, their states and counts stay (such a job can no longer be re-run). Files
 * are searched for the email as the lead stores it (lower case: a file that spells it otherwise
 * is not found), failed rows for the email or the external id in any case; a job still queued
 * or running is left alone.
 */

const FINISHED = `('DONE', 'FAILED', 'CANCELLED')`;

export async function scrubImports(tx: EntityManager, emails: readonly string[], externalId: string | null): Promise<RowCount[]> {
  const [tables] = (await tx.query(
    `SELECT to_regclass('import_job_errors') IS NOT NULL AS errors, to_regclass('import_job_chunks') IS NOT NULL AS chunks`,
  )) as { errors: boolean; chunks: boolean }[];
  const needles = [...new Set([...emails.map((e) => e.toLowerCase()), ...(externalId ? [externalId.toLowerCase()] : [])])];
  const counts: RowCount[] = [];
  if (tables?.errors) {
    const rows = await countOf(
      tx,
      `DELETE FROM import_job_errors WHERE EXISTS (
         SELECT FROM unnest($1::text[]) n WHERE strpos(lower("values"::text || ' ' || reason), n) > 0)`,
      [needles],
    );
    counts.push({ kind: 'import row errors', count: rows });
  }
  if (tables?.chunks) {
    const files = (await tx.query(
      `WITH files AS (
         SELECT c.job_id, c.file_no
           FROM import_job_chunks c JOIN import_jobs j ON j.id = c.job_id
          WHERE j.state IN ${FINISHED}
          GROUP BY c.job_id, c.file_no
         HAVING EXISTS (SELECT FROM unnest($1::text[]) e
                         WHERE position(convert_to(e, 'UTF8') IN string_agg(c.data, ''::bytea ORDER BY c.seq)) > 0)
       ),
       gone AS (
         DELETE FROM import_job_chunks c USING files f WHERE c.job_id = f.job_id AND c.file_no = f.file_no RETURNING c.job_id, c.file_no
       )
       SELECT count(DISTINCT (job_id, file_no))::int AS n FROM gone`,
      [[...new Set(emails)]],
    )) as { n: number }[];
    counts.push({ kind: 'import files', count: files[0]?.n ?? 0 });
  }
  return counts;
}
