/** How many exports run at once (environment variables, read when the server starts). */
export interface ExportSettings {
  /** Per caller (API key or token subject): one caller's long exports do not starve the others. */
  perCaller: number;
  /** For the whole service (each export holds a database connection while it reads a page). */
  total: number;
  /** The Retry-After of a refused export. */
  retryAfterSeconds: number;
  /**
   * Rows per page an export reads (its own operations, not a client's: MAX_PAGE_SIZE does not
   * bound them). Larger pages cost fewer operations per row; two pages are in memory at most,
   * and a page over the cost limit is read as smaller pages.
   */
  pageSize: number;
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
    pageSize: Math.min(positiveInt('EXPORT_PAGE_SIZE', 1000), 10_000),
  };
}
