/**
 * A JSON text that goes into a response as it is: the data of a page whose JSON PostgreSQL built
 * (src/graphql/sql-pages.ts), written by the HTTP door without being parsed into objects and
 * stringified again (at size M, 290 KB per nested page: about a quarter of the server's time
 * for it, with the collections those objects cause).
 */
export class RawJson {
  constructor(readonly text: string) {}

  /** Whatever stringifies a result another way (JSON.stringify) still writes the same value. */
  toJSON(): unknown {
    return JSON.parse(this.text) as unknown;
  }
}

/** Apollo's stringifyResult: compact JSON (Apollo's default indents), with a RawJson `data` written as its text. */
export function stringifyResponse(value: unknown): string {
  const data = (value as { data?: unknown } | null)?.data;
  if (!(data instanceof RawJson)) return JSON.stringify(value);
  const { data: _data, ...rest } = value as { data: RawJson } & Record<string, unknown>;
  const tail = JSON.stringify(rest);
  return `{"data":${data.text}${tail === '{}' ? '}' : `,${tail.slice(1)}`}`;
}
