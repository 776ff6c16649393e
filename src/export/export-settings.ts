/** How many exports run at once (environment variables, read when the server starts). */
export interface ExportSettings {
  /** Per caller (API key or token subject): one caller's long exports do not starve the others. */
  perCaller: number;
  /** For the whole service (each export holds a database connection while it reads a page). */
  total: number;
  /** The Retry-After of a refused export. */
  retryAfterSeconds: number;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function exportSettingsFromEnv(): ExportSettings {
  return {
    perCaller: positiveInt('EXPORTS_PER_CALLER', 2),
    total: positiveInt('EXPORTS_TOTAL', 8),
    retryAfterSeconds: positiveInt('EXPORTS_RETRY_AFTER_SECONDS', 5),
  };
}
