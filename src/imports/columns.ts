import { normalisedEmail, validDomain } from '../common/validation';
import { GraphQLError } from 'graphql';
import { DECIMAL } from '../qualification/policy-store';

/**
 * The columns of an import and how one cell becomes a value for the staging table. Cells are
 * checked here, row by row in memory (format, enum values, emails, domains, times); everything
 * that needs the database (references, uniqueness, stage and close rules) is checked in SQL on
 * the staged batch.
 */

export type ColumnType = 'text' | 'name' | 'email' | 'domain' | 'money' | 'day' | 'time' | 'enum' | 'emails' | 'attributes';

export interface ColumnSpec {
  /** Our column name, camelCase like the GraphQL inputs. */
  name: string;
  type: ColumnType;
  /** The allowed values of an enum column. */
  values?: readonly string[];
  /** An empty cell is refused; a new row needs the column (an existing row keeps its value when the column is absent). */
  required?: boolean;
}

export const SQL_TYPE: Record<ColumnType, string> = {
  text: 'text',
  name: 'text',
  email: 'text',
  domain: 'text',
  money: 'numeric(18,2)',
  day: 'date',
  time: 'timestamptz',
  enum: 'text',
  emails: 'text[]',
  // custom attributes: the row's `attributes.<key>[:type]` cells as one JSON object (see attributeHeader)
  attributes: 'jsonb',
};

/** A custom attribute column: `attributes.<key>` with an optional type suffix `:number`, `:boolean` or `:text` (the default). */
export interface AttributeHeader {
  /** `attributes.<key>`: two headers of one key are the same column. */
  name: string;
  key: string;
  type: 'text' | 'number' | 'boolean';
}

const ATTRIBUTE_HEADER = /^attributes\.(.+?)(?::(number|boolean|text))?$/is;

/** The attribute a header names (`attributes.employees:number`), null when it names none, or why its key cannot be taken. */
export function attributeHeader(header: string): AttributeHeader | { error: string } | null {
  const match = ATTRIBUTE_HEADER.exec(header.trim());
  if (!match) return null;
  const key = match[1] ?? '';
  if (key.length > 100) return { error: `the attribute key of column "${header}" is longer than 100 characters` };
  const type = (match[2]?.toLowerCase() ?? 'text') as AttributeHeader['type'];
  return { name: `attributes.${key}`, key, type };
}

/** The JSON text of one attribute cell of `type` (a non-empty cell), or why it cannot be taken. */
export function parseAttributeCell(type: AttributeHeader['type'], raw: string): CellResult {
  if (raw.includes('\u0000')) return { ok: false, reason: 'must not contain the NUL character' };
  const text = raw.trim();
  if (type === 'number') {
    const number = text.replace(/^\+/, '');
    return DECIMAL.test(number) ? { ok: true, value: number } : { ok: false, reason: `"${text}" is not a decimal number such as 1200 or -0.5` };
  }
  if (type === 'boolean') {
    const value = text.toLowerCase();
    return value === 'true' || value === 'false' ? { ok: true, value } : { ok: false, reason: `"${text}" is not a boolean (true or false)` };
  }
  return text.length > 1000 ? { ok: false, reason: 'must be at most 1,000 characters' } : { ok: true, value: JSON.stringify(text) };
}

/** The staging column of one of our columns: c_ and snake case (externalId -> c_external_id). */
export function stageColumn(name: string): string {
  return `c_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
}

export type CellValue = string | string[] | null;
export type CellResult = { ok: true; value: CellValue } | { ok: false; reason: string };

const FUTURE_SKEW_MS = 5 * 60_000;
const MONEY = /^\d{1,16}(\.\d{1,2})?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO 8601 date-times as exports write them; without an offset the time is UTC. */
const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function reasonOf(error: unknown): string {
  if (error instanceof GraphQLError) return error.message.replace(/^[^:]*: /, '');
  throw error;
}

function validDay(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return y !== '0000' && date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function parseDay(text: string): CellResult {
  const match = DAY.exec(text) ?? TIME.exec(text);
  if (!match || !validDay(match[1] ?? '', match[2] ?? '', match[3] ?? '')) return { ok: false, reason: `"${text}" is not a day such as 2024-03-31` };
  return { ok: true, value: `${match[1]}-${match[2]}-${match[3]}` };
}

function parseTime(text: string, now: number): CellResult {
  let ms: number;
  if (/^\d{12,13}$/.test(text)) {
    ms = Number(text); // epoch milliseconds, as HubSpot's API and some exports write times
  } else {
    const match = TIME.exec(text);
    if (!match || !validDay(match[1] ?? '', match[2] ?? '', match[3] ?? '')) {
      return { ok: false, reason: `"${text}" is not a date-time such as 2024-03-31T14:05:00Z` };
    }
    const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = match;
    if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return { ok: false, reason: `"${text}" is not a valid time of day` };
    const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
    ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}${offset}`);
  }
  if (Number.isNaN(ms)) return { ok: false, reason: `"${text}" is not a valid date-time` };
  if (ms > now + FUTURE_SKEW_MS) return { ok: false, reason: 'cannot be in the future' };
  return { ok: true, value: new Date(ms).toISOString() };
}

/** An enum value as exports spell it: any case, spaces or hyphens for underscores. */
function parseEnum(column: ColumnSpec, text: string): CellResult {
  const value = text.toUpperCase().replace(/[\s-]+/g, '_');
  if (column.values?.includes(value)) return { ok: true, value };
  return { ok: false, reason: `"${text}" is not one of ${(column.values ?? []).join(', ')}` };
}

/** The value of one cell for `column`, or why it cannot be taken. An empty cell is null (or refused if required). */
export function parseCell(column: ColumnSpec, raw: string, now: number): CellResult {
  if (raw.includes('\u0000')) return { ok: false, reason: 'must not contain the NUL character' };
  const text = raw.trim();
  if (text === '') return column.required ? { ok: false, reason: 'is required' } : { ok: true, value: null };
  try {
    switch (column.type) {
      case 'text':
        return { ok: true, value: raw };
      case 'name':
        return text.length > 200 ? { ok: false, reason: 'must be at most 200 characters' } : { ok: true, value: text };
      case 'email': {
        const email = normalisedEmail(column.name, text);
        return /^[^@\s]+@[^@\s]+$/.test(email) ? { ok: true, value: email } : { ok: false, reason: `"${text}" is not an email address` };
      }
      case 'domain':
        return { ok: true, value: validDomain(column.name, text) };
      case 'money': {
        const amount = text.replace(/^\+/, '');
        if (amount.startsWith('-')) return { ok: false, reason: 'must not be negative' };
        return MONEY.test(amount) ? { ok: true, value: amount } : { ok: false, reason: `"${text}" is not an amount such as 1250.00` };
      }
      case 'day':
        return parseDay(text);
      case 'time':
        return parseTime(text, now);
      case 'enum':
        return parseEnum(column, text);
      case 'attributes':
        return { ok: false, reason: 'name each attribute in its own column: attributes.<key>, attributes.<key>:number, attributes.<key>:boolean' };
      case 'emails': {
        const emails: string[] = [];
        for (const part of text.split(/[;,]/).map((p) => p.trim()).filter((p) => p !== '')) {
          const email = normalisedEmail(column.name, part);
          if (!/^[^@\s]+@[^@\s]+$/.test(email)) return { ok: false, reason: `"${part}" is not an email address` };
          if (!emails.includes(email)) emails.push(email);
        }
        return { ok: true, value: emails };
      }
    }
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

const SPECIAL = /[\\\t\n\r]/;

function escapeCopy(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** A value in PostgreSQL's COPY text format (arrays as array literals). */
export function copyValue(value: CellValue): string {
  if (value === null) return '\\N';
  if (Array.isArray(value)) return escapeCopy(`{${value.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`);
  return escapeCopy(value);
}

/** Thrown (rejecting importStream) for a file that cannot be imported at all: unknown preset, bad header, unreadable CSV. */
export class ImportFileError extends Error {
  constructor(message: string, readonly line: number | null = null) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/**
 * The columns the error CSV adds after the file's own: the engine ignores them on import, so
 * the error CSV, once fixed, imports as is (with the same preset or mapping as the original).
 */
export const ERROR_COLUMNS = ['_line', '_column', '_reason'] as const;

