import { type ReactNode, useMemo, useState } from 'react';
import type { QueryState } from './api';
import { change } from './format';

/** Loading, error and content of one query. */
export function Loaded<T>({ state, retry, children }: { state: QueryState<T>; retry: () => void; children: (data: T) => ReactNode }) {
  if (state.status === 'loading') {
    return (
      <div className="status" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Loading…
      </div>
    );
  }
  if (state.status === 'error') {
    const forbidden = state.error.code === 'FORBIDDEN';
    return (
      <div className="status error" role="alert">
        <strong>{forbidden ? 'Your role may not read this.' : 'This could not be loaded.'}</strong> {state.error.message}{' '}
        {!forbidden && (
          <button type="button" onClick={retry}>
            Try again
          </button>
        )}
      </div>
    );
  }
  return <>{children(state.data)}</>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="status empty">{children}</p>;
}

export function Tile({ id, title, value, current, previous, hint, better = 'up' }: {
  id: string;
  title: string;
  value: string;
  current?: string | number | null;
  previous?: string | number | null;
  /** What the previous figure was, formatted. */
  hint?: string;
  better?: 'up' | 'down';
}) {
  const delta = change(current, previous);
  const tone = !delta || delta.direction === 'flat' ? 'flat' : delta.direction === better ? 'good' : 'bad';
  return (
    <section className="tile" aria-labelledby={`tile-${id}-title`} data-testid={`tile-${id}`}>
      <h3 id={`tile-${id}-title`}>{title}</h3>
      <p className="value" data-testid={`tile-${id}-value`}>
        {value}
      </p>
      {previous !== undefined && (
      <p className={`delta ${tone}`}>
        {delta ? (
          <>
            <span aria-hidden="true">{delta.direction === 'up' ? '▲' : delta.direction === 'down' ? '▼' : '■'}</span> {delta.text} vs previous period
          </>
        ) : (
          'not comparable with the previous period'
        )}
        {hint && delta ? <span className="previous"> (was {hint})</span> : null}
      </p>
      )}
    </section>
  );
}

export interface Column<R> {
  key: string;
  title: string;
  /** The cell's text (also what the CSV holds). */
  text: (row: R) => string;
  /** The cell in the CSV download: the API's own value (defaults to the text). */
  csv?: (row: R) => string;
  /** The value sorted by; numbers sort as numbers, null last. */
  sort?: (row: R) => number | string | null;
  numeric?: boolean;
}

/** A table whose column headers sort it (click, Enter or Space); `onSorted` sees the rows as shown. */
export type Sort = { key: string; direction: 'ascending' | 'descending' };

export function SortableTable<R>({ caption, columns, rows, initial, testId, rowKey, sort: controlled, onSort }: {
  caption: string;
  columns: Column<R>[];
  rows: R[];
  initial?: Sort;
  testId?: string;
  rowKey: (row: R) => string;
  sort?: Sort;
  onSort?: (sort: Sort) => void;
}) {
  const [own, setOwn] = useState<Sort>(initial ?? { key: columns[0]!.key, direction: 'ascending' });
  const sort = controlled ?? own;
  const setSort = onSort ?? setOwn;
  const sorted = useMemo(() => sortRows(rows, columns, sort), [rows, columns, sort]);
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={sort.key === c.key ? sort.direction : 'none'} className={c.numeric ? 'num' : undefined}>
                {c.sort ? (
                  <button
                    type="button"
                    onClick={() =>
                      setSort({ key: c.key, direction: sort.key === c.key && sort.direction === 'descending' ? 'ascending' : 'descending' })
                    }
                  >
                    {c.title}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                ) : (
                  c.title
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.text(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function sortRows<R>(rows: R[], columns: Column<R>[], sort: Sort): R[] {
  const column = columns.find((c) => c.key === sort.key);
  if (!column?.sort) return rows;
  const value = column.sort;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sign;
  });
}

/** CSV text of a table's rows in the order shown (RFC 4180 quoting). */
export function toCsv<R>(columns: Column<R>[], rows: R[]): string {
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [columns.map((c) => c.title), ...rows.map((r) => columns.map((c) => (c.csv ?? c.text)(r)))];
  return lines.map((line) => line.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function download(filename: string, text: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
