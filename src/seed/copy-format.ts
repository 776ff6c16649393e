/**
 * Cheap formatting of values for PostgreSQL's COPY text format: tab-separated columns,
 * `\N` for NULL, one row per line. Times are whole seconds since the epoch (UTC).
 */

export const NULL = '\\N';
export const SECONDS_PER_DAY = 86_400;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** 'HH:MM:SS' for each second of a day, built once. */
let clockCache: string[] | undefined;
function clock(secondOfDay: number): string {
  if (!clockCache) {
    clockCache = new Array<string>(SECONDS_PER_DAY);
    for (let s = 0; s < SECONDS_PER_DAY; s++) {
      clockCache[s] = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
    }
  }
  return clockCache[secondOfDay] ?? '00:00:00';
}

const dayCache = new Map<number, string>();

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01). */
export function formatDay(epochDay: number): string {
  let text = dayCache.get(epochDay);
  if (text === undefined) {
    text = new Date(epochDay * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
    dayCache.set(epochDay, text);
  }
  return text;
}

/** A timestamptz literal for COPY: 'YYYY-MM-DD HH:MM:SS+00'. */
export function formatTime(epochSeconds: number): string {
  const day = Math.floor(epochSeconds / SECONDS_PER_DAY);
  return `${formatDay(day)} ${clock(epochSeconds - day * SECONDS_PER_DAY)}+00`;
}

/** A timestamp, or NULL when negative (the generator's "not set"). */
export function formatTimeOrNull(epochSeconds: number): string {
  return epochSeconds < 0 ? NULL : formatTime(epochSeconds);
}

/** Whole cents as a NUMERIC(18,2) literal, exactly (integers only, never floats). */
export function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents - whole * 100;
  return `${whole}.${pad2(rest)}`;
}

export function formatCentsOrNull(cents: number): string {
  return cents < 0 ? NULL : formatCents(cents);
}

const SPECIAL = /[\\\t\n\r]/;

/** Escapes text for the COPY text format (backslash, tab, newline, carriage return). */
export function escapeText(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function textOrNull(text: string | null): string {
  return text === null ? NULL : escapeText(text);
}
