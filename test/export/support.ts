import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import type { HttpTestApp } from '../helpers/http-app';

/** GET /export/<path> as `key` (the admin key unless told; null sends no Authorization). */
export async function getExport(http: HttpTestApp, path: string, key: string | null = http.adminKey): Promise<Response> {
  const base = http.url.replace(/\/graphql$/, '');
  return fetch(`${base}/export/${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
}

/** A CSV body as records keyed by its header (every value a text, empty for null). */
export function csvRecords(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A Parquet file read back by DuckDB, a reader that is not the writer: each row's columns as
 * DuckDB's JSON-safe values (DECIMAL as its exact text, TIMESTAMP as ISO-ish text), with the
 * type DuckDB read for each column. The file lives in a scratch folder removed at once.
 */
export async function readParquet(bytes: Uint8Array, select = '*'): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ra-export-test-'));
  const file = join(dir, 'export.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    writeFileSync(file, bytes);
    const path = `'${file.replace(/'/g, "''")}'`;
    const reader = await connection.runAndReadAll(`SELECT ${select} FROM read_parquet(${path})`);
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${path})`);
    const types = Object.fromEntries(described.getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]));
    return { rows: reader.getRowObjectsJson() as Record<string, unknown>[], types };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
