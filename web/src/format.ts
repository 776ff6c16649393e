/** Numbers as the reader's locale writes them; money is the API's decimal string, in CURRENCY. */

export const CURRENCY = 'USD';
const locale = typeof navigator !== 'undefined' ? navigator.language : 'en-US';

const money0 = new Intl.NumberFormat(locale, { style: 'currency', currency: CURRENCY, maximumFractionDigits: 0, minimumFractionDigits: 0 });
const money2 = new Intl.NumberFormat(locale, { style: 'currency', currency: CURRENCY, minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent1 = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const decimal2 = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const decimal1 = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

const DASH = '—';

function num(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Whole currency units: "$12,345". */
export const money = (v: string | number | null | undefined) => (num(v) === null ? DASH : money0.format(num(v)!));
/** To the cent: "$12,345.67". */
export const cents = (v: string | number | null | undefined) => (num(v) === null ? DASH : money2.format(num(v)!));
/** A share 0..1 as a percentage: "12.3%". */
export const percent = (v: number | null | undefined) => (num(v) === null ? DASH : percent1.format(num(v)!));
/** A ratio such as ROAS: "3.21×". */
export const ratio = (v: number | null | undefined) => (num(v) === null ? DASH : `${decimal2.format(num(v)!)}×`);
export const count = (v: number | null | undefined) => (num(v) === null ? DASH : integer.format(num(v)!));
export const days = (v: number | null | undefined) => (num(v) === null ? DASH : decimal1.format(num(v)!));
export const decimal = (v: number | null | undefined) => (num(v) === null ? DASH : decimal2.format(num(v)!));

/** Change against the previous period: "+12.3%" (null when there is nothing to compare). */
export function change(current: string | number | null | undefined, previous: string | number | null | undefined): { text: string; direction: 'up' | 'down' | 'flat' } | null {
  const c = num(current);
  const p = num(previous);
  if (c === null || p === null || p === 0) return null;
  const delta = (c - p) / Math.abs(p);
  const text = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(delta);
  return { text, direction: delta > 0.0005 ? 'up' : delta < -0.0005 ? 'down' : 'flat' };
}

const monthFormat = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const dayFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
export const month = (iso: string) => monthFormat.format(new Date(iso));
export const day = (iso: string) => dayFormat.format(new Date(iso));

/** "PAID_SEARCH" → "Paid search". */
const ACRONYMS = new Set(['MQL', 'SAL', 'SQL', 'SMB']);

export function label(value: string | null | undefined): string {
  if (!value) return DASH;
  if (ACRONYMS.has(value)) return value;
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
