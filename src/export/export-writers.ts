import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { ParquetSchema, ParquetWriter } from '@dsnp/parquetjs';
import { stringify } from 'csv-stringify/sync';
import type { Column, ColumnKind } from './export-tables';

/**
 * The three file formats, each written row group by row group (a page of the API at a time)
 * into the response, waiting for the client to take each chunk before producing the next.
 */

export const EXPORT_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** Rows per Parquet row group: what the writer holds in memory at most. */
export const PARQUET_ROW_GROUP = 5_000;

/** The client went away: the export stops where it is. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection');
  }
}

/**
 * The response as a sink that respects backpressure: `write` resolves once the socket took the
 * chunk (or at once while its buffer has room), and rejects with ClientGone once the client left.
 */
export class ResponseSink {
  private gone = false;
  private waiting: { ok: () => void; fail: (e: Error) => void } | null = null;

  constructor(private readonly res: ServerResponse) {
    res.on('close', () => {
      if (!res.writableFinished) this.gone = true;
      this.waiting?.fail(new ClientGone());
      this.waiting = null;
    });
    res.on('drain', () => {
      this.waiting?.ok();
      this.waiting = null;
    });
  }

  get closed(): boolean {
    return this.gone || this.res.destroyed;
  }

  async write(chunk: string | Buffer): Promise<void> {
    if (this.closed) throw new ClientGone();
    if (this.res.write(chunk)) return;
    await new Promise<void>((ok, fail) => (this.waiting = { ok, fail }));
  }

  /** A Writable over this sink, for writers that want a stream. */
  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.write(chunk).then(() => done(), done);
      },
      final: (done) => done(),
    });
  }
}

export interface RowWriter {
  /** Writes one page of rows; resolves when the client has room for more. */
  write(rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Writes what closes the file (Parquet's footer). */
  finish(): Promise<void>;
}

const DATE_KINDS: ReadonlySet<ColumnKind> = new Set(['DATETIME']);

/** A cell as text: ISO-8601 UTC times, money and decimals as the API's exact strings, JSON text for lists. */
function textOf(kind: ColumnKind, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (kind === 'JSON') return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  if (DATE_KINDS.has(kind) && typeof value === 'string') return new Date(value).toISOString();
  return value as string | number | boolean;
}

class CsvWriter implements RowWriter {
  private headerWritten = false;

  constructor(
    private readonly sink: ResponseSink,
    private readonly columns: readonly Column[],
  ) {}

  async write(rows: readonly (readonly unknown[])[]): Promise<void> {
    const records = rows.map((row) => row.map((value, i) => textOf(this.columns[i]!.kind, value)));
    let text = this.headerWritten ? '' : `${this.columns.map((c) => csvField(c.name)).join(',')}\n`;
    this.headerWritten = true;
    if (records.length) text += stringify(records, { cast: { boolean: (b) => (b ? 'true' : 'false'), number: (n) => String(n) } });
    if (text) await this.sink.write(text);
  }

  async finish(): Promise<void> {
    if (!this.headerWritten) await this.write([]);
  }
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

class JsonLinesWriter implements RowWriter {
  constructor(
    private readonly sink: ResponseSink,
    private readonly columns: readonly Column[],
  ) {}

  async write(rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    let text = '';
    for (const row of rows) {
      const record: Record<string, unknown> = {};
      this.columns.forEach((c, i) => (record[c.name] = textOf(c.kind, row[i])));
      text += `${JSON.stringify(record)}\n`;
    }
    await this.sink.write(text);
  }

  async finish(): Promise<void> {}
}

/**
 * Parquet column types. Money is DECIMAL(18,2) (the Money scalar's 16 + 2 digits) stored as an
 * 8-byte FIXED_LEN_BYTE_ARRAY of the unscaled cents, given as bytes: the library's INT64 decimal
 * path multiplies a float by 100 and floors it (0.29 would read 0.28). Its min/max statistics
 * would compare those bytes unsigned, so the column has none. Decimal (any precision) is text.
 */
function parquetField(kind: ColumnKind) {
  switch (kind) {
    case 'INT':
      return { type: 'INT32' as const, optional: true };
    case 'FLOAT':
      return { type: 'DOUBLE' as const, optional: true };
    case 'BOOLEAN':
      return { type: 'BOOLEAN' as const, optional: true };
    case 'MONEY':
      return { type: 'DECIMAL' as const, typeLength: 8, precision: 18, scale: 2, optional: true, statistics: false as const };
    case 'DATETIME':
      return { type: 'TIMESTAMP_MILLIS' as const, optional: true };
    case 'DATE':
      return { type: 'DATE' as const, optional: true };
    default:
      return { type: 'UTF8' as const, optional: true };
  }
}

/** "-1250.5" as the unscaled cents of DECIMAL(18,2): -125050n, without a float on the way. */
export function unscaledCents(money: string): bigint {
  const negative = money.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? money.slice(1) : money).split('.');
  const cents = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  return negative ? -cents : cents;
}

function parquetValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (kind) {
    case 'MONEY': {
      const bytes = Buffer.alloc(8);
      bytes.writeBigInt64BE(unscaledCents(String(value)));
      return bytes;
    }
    case 'DATETIME':
      return value instanceof Date ? value : new Date(String(value));
    case 'DATE':
      return new Date(`${String(value)}T00:00:00Z`);
    case 'INT':
    case 'FLOAT':
    case 'BOOLEAN':
      return value;
    case 'JSON':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

class ParquetRowWriter implements RowWriter {
  private writer: ParquetWriter | null = null;
  private readonly schema: ParquetSchema;

  constructor(
    private readonly sink: ResponseSink,
    private readonly columns: readonly Column[],
  ) {
    this.schema = new ParquetSchema(Object.fromEntries(columns.map((c) => [c.name, parquetField(c.kind)])));
  }

  private async open(): Promise<ParquetWriter> {
    // the library types its stream as a file's; it only calls write(chunk, callback) and end(callback)
    const stream = this.sink.writable() as unknown as Parameters<typeof ParquetWriter.openStream>[1];
    this.writer ??= await ParquetWriter.openStream(this.schema, stream, { rowGroupSize: PARQUET_ROW_GROUP });
    return this.writer;
  }

  async write(rows: readonly (readonly unknown[])[]): Promise<void> {
    const writer = await this.open();
    for (const row of rows) {
      const record: Record<string, unknown> = {};
      this.columns.forEach((c, i) => {
        const value = parquetValue(c.kind, row[i]);
        if (value !== undefined) record[c.name] = value;
      });
      // a full row group is encoded and written here, awaiting the client
      await writer.appendRow(record);
    }
  }

  async finish(): Promise<void> {
    await (await this.open()).close();
  }
}

export function rowWriter(format: ExportFormat, sink: ResponseSink, columns: readonly Column[]): RowWriter {
  switch (format) {
    case 'csv':
      return new CsvWriter(sink, columns);
    case 'jsonl':
      return new JsonLinesWriter(sink, columns);
    case 'parquet':
      return new ParquetRowWriter(sink, columns);
  }
}
