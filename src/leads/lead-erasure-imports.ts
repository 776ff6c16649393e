import type { EntityManager } from 'typeorm';
import { countOf, RowCount } from '../common/corrections';
import { ERASED_TEXT, hasFullName, PersonMarks, sqlPatterns } from './erasure-marks';

/*
 * The person's data in import jobs (src/imports/jobs/): the failed rows kept with their original
 * values for the error report (errors.csv), the jobs' messages, and the uploaded files.
 *
 * - A failed row shows the person, and is deleted, when a value or its reason holds the email;
 *   in a file of leads, deals or feedback, also the full name (a lead's name columns, a deal's
 *   name, a note); in a file of leads, touchpoints or feedback, a value that is the lead's
 *   external id; in a file of leads, one value that is the first name and another the last.
 *   The job keeps its counts; its error report lists the rows left.
 * - A job's message has the email replaced by [erased].
 * - A finished job (DONE, FAILED, CANCELLED) keeps no file: the runner drops the bytes when the
 *   job ends. One left from before (or stored by other means) is dropped when it holds the email
 *   (in any case of its ASCII letters) or, for a file of a kind that names leads by external id,
 *   that id; it is read a chunk at a time, so an address cut by a chunk's end is found too.
 * A job still queued or running is left alone: the erasure does not stop it, and its bytes go
 * when it ends (what it loads again comes in as a new lead, as from the source CRM).
 */

const FINISHED = `('DONE', 'FAILED', 'CANCELLED')`;
/** Kinds whose rows may carry names: a lead's own columns, a deal's name or lost reason, a note. */
const NAMING_KINDS = `('leads', 'opportunities', 'feedback')`;
/** Kinds whose rows may name a lead by its external id. */
const LEAD_REF_KINDS = `('leads', 'touchpoints', 'feedback')`;

export async function scrubImports(tx: EntityManager, person: PersonMarks, externalId: string | null): Promise<RowCount[]> {
  const patterns = sqlPatterns(person);
  const lower = (text: string | null) => (text ?? '').trim().toLowerCase();
  const ext = externalId ? lower(externalId) : null;
  const valueIs = (param: string) => `EXISTS (SELECT FROM jsonb_array_elements(e."values") v WHERE lower(btrim(v ->> 1)) = ${param})`;
  const pattern = `CASE WHEN f.kind IN ${NAMING_KINDS} THEN $2 ELSE $1 END`;
  const rowErrors = await countOf(
    tx,
    `DELETE FROM import_job_errors e USING import_job_files f
      WHERE f.job_id = e.job_id AND f.file_no = e.file_no
        AND (e.reason ~* ${pattern}
             OR EXISTS (SELECT FROM jsonb_array_elements(e."values") v WHERE (v ->> 1) ~* ${pattern})
             OR (f.kind IN ${LEAD_REF_KINDS} AND $3::text IS NOT NULL AND ${valueIs('$3::text')})
             OR (f.kind = 'leads' AND $4 AND ${valueIs('$5::text')} AND ${valueIs('$6::text')}))`,
    [patterns.email, patterns.person, ext, hasFullName(person), lower(person.firstName), lower(person.lastName)],
  );
  const messages = await countOf(
    tx,
    `UPDATE import_jobs SET message = regexp_replace(message, $1, $2, 'gi'), updated_at = now() WHERE message ~* $1`,
    [patterns.email, ERASED_TEXT],
  );
  const [files] = (await tx.query(
    `WITH needles AS (
       SELECT f.job_id, f.file_no, encode(convert_to(n, 'UTF8'), 'escape') AS needle, octet_length(convert_to(n, 'UTF8')) AS bytes
         FROM import_job_files f JOIN import_jobs j ON j.id = f.job_id
        CROSS JOIN LATERAL unnest(CASE WHEN f.kind IN ${LEAD_REF_KINDS} AND $2::text IS NOT NULL THEN ARRAY[$1::text, $2::text] ELSE ARRAY[$1::text] END) n
        WHERE j.state IN ${FINISHED}),
     chunks AS (
       SELECT c.job_id, c.file_no, c.data, lag(c.data) OVER (PARTITION BY c.job_id, c.file_no ORDER BY c.seq) AS prev
         FROM import_job_chunks c JOIN import_jobs j ON j.id = c.job_id
        WHERE j.state IN ${FINISHED}),
     hits AS (
       -- each chunk with the end of the one before it, so that a needle cut in two is found
       SELECT DISTINCT c.job_id, c.file_no
         FROM chunks c JOIN needles n ON n.job_id = c.job_id AND n.file_no = c.file_no
        WHERE strpos(lower(encode(coalesce(substring(c.prev FROM greatest(1, length(c.prev) - n.bytes + 2)), ''::bytea) || c.data, 'escape')),
                     n.needle) > 0),
     gone AS (
       DELETE FROM import_job_chunks c USING hits h WHERE c.job_id = h.job_id AND c.file_no = h.file_no RETURNING c.job_id, c.file_no)
     SELECT count(DISTINCT (job_id, file_no))::int AS n FROM gone`,
    [lower(person.email), ext],
  )) as { n: number }[];
  return [
    { kind: 'import row errors', count: rowErrors },
    { kind: 'import job messages', count: messages },
    { kind: 'import files', count: files?.n ?? 0 },
  ];
}
