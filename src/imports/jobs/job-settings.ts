/** Settings of import jobs, read once from the environment (documented in the README's Configuration table). */
export interface ImportJobSettings {
  /** Largest file `POST /imports` takes (IMPORT_MAX_BYTES); not bounded by MAX_BODY_BYTES. */
  maxBytes: number;
  /** Bytes per stored chunk of an uploaded file (one row of import_job_chunks). */
  chunkBytes: number;
  /** An upload that sends nothing for this long is cut off (IMPORT_UPLOAD_IDLE_MS). */
  uploadIdleMs: number;
  /** How long a replica's claim on a running job lasts without a heartbeat (IMPORT_LEASE_SECONDS). */
  leaseSeconds: number;
  /** How often a replica looks for queued jobs and jobs whose replica died (IMPORT_POLL_MS). */
  pollMs: number;
  /** Runs of one job before it is given up as FAILED (a job that kills its process each time). */
  maxAttempts: number;
}

function intFromEnv(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, got "${raw}"`);
  return value;
}

export function importJobSettingsFromEnv(): ImportJobSettings {
  return {
    maxBytes: intFromEnv('IMPORT_MAX_BYTES', 2 * 1024 ** 3, 1),
    chunkBytes: 1024 * 1024,
    uploadIdleMs: intFromEnv('IMPORT_UPLOAD_IDLE_MS', 60_000, 1),
    leaseSeconds: intFromEnv('IMPORT_LEASE_SECONDS', 30, 1),
    pollMs: intFromEnv('IMPORT_POLL_MS', 2_000, 10),
    maxAttempts: intFromEnv('IMPORT_MAX_ATTEMPTS', 3, 1),
  };
}
