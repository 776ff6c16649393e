/** Helpers for presets' computed columns (see Preset.derive). */

export type Cell = (header: string) => string | undefined;

/** The first non-empty cell of `headers` (API name first, then the label). */
export function firstOf(cell: Cell, ...headers: string[]): string | undefined {
  for (const header of headers) {
    const value = cell(header)?.trim();
    if (value) return value;
  }
  return undefined;
}

/** A website URL as CRMs store it ("https://www.acme.com/about") as a domain ("acme.com"). */
export function domainOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const host = url.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/?#:].*$/, '').replace(/^www\./i, '');
  return host === '' ? undefined : host;
}

/**
 * Our segment from a number of employees: under 200 SMB, under 1,000 MID_MARKET, else
 * ENTERPRISE; SMB when the export has no number (segment is required for a new account).
 */
export function segmentOfEmployees(text: string | undefined): string {
  const employees = Number((text ?? '').replace(/[,\s]/g, ''));
  if (!text || !Number.isFinite(employees)) return 'SMB';
  if (employees < 200) return 'SMB';
  if (employees < 1000) return 'MID_MARKET';
  return 'ENTERPRISE';
}
