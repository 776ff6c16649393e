import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { seesPersonalData } from '../auth/analyst-masking';
import type { Actor } from '../auth/roles';
import type { Context } from '../graphql/context';
import type { StoredResponse } from '../http/idempotency';
import { fillSeries, isDenseSeries } from './dense-series';
import { ExportRequestError, parseExportRequest } from './export-args';
import { exportOperation, pageOf, selectionOf } from './export-query';
import { exportSettingsFromEnv, ExportSettings } from './export-settings';
import { Column, exportArguments, ExportTable, exportTables } from './export-tables';
import { ClientGone, CONTENT_TYPES, EXPORT_FORMATS, ExportFormat, ResponseSink, rowWriter } from './export-writers';

/**
 * GET /export/<name>.<csv|jsonl|parquet>?<arguments>: a list or a metric as a file (see
 * docs/exports.md). Each page is the real GraphQL operation run through the engine that serves
 * /graphql, as the caller, so roles, masking, validation, cost limits and every number are the
 * ones the API answers; a list is walked with its cursor, the next page read while the current
 * one is written, and none asked for before the client took the one before it (backpressure):
 * two pages in memory at most.
 */

export const isExportPath = (pathname: string) => pathname === '/export' || pathname.startsWith('/export/');

export interface ExportDeps {
  schema: GraphQLSchema;
  apollo: ApolloServer<Context>;
  logger: Logger;
  /**
   * A fresh context for one GraphQL operation of `actor`, as /graphql builds it, whose lists take
   * pages of up to `pageSize` rows (the export's own page size, ExportSettings.pageSize).
   */
  contextFor(actor: Actor, req: IncomingMessage, requestId: string, pageSize: number): Context;
}

/** An operation of the export answered with errors: the response /graphql would have given. */
class OperationFailed extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly GraphQLFormattedError[],
  ) {
    super(errors.map((e) => e.message).join('; '));
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  GRAPHQL_PARSE_FAILED: 400,
  QUERY_REJECTED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

function statusOf(errors: readonly GraphQLFormattedError[], httpStatus: number | undefined): number {
  const codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  if (codes.includes('BUSY')) return httpStatus && httpStatus >= 400 ? httpStatus : 503;
  const statuses = codes.map((code) => STATUS_BY_CODE[code] ?? 500);
  return Math.max(...statuses);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): StoredResponse {
  return { status, headers, body: JSON.stringify(body) };
}

function refused(error: ExportRequestError): StoredResponse {
  return json(error.status, { errors: [{ message: error.message, extensions: { code: error.code, field: error.field } }] });
}

const PATH = /^\/export\/([A-Za-z][A-Za-z0-9]*(?:\/[A-Za-z][A-Za-z0-9]*)*)\.([A-Za-z0-9]+)$/;

export class ExportRoutes {
  readonly tables: ReadonlyMap<string, ExportTable>;
  private readonly running = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly deps: ExportDeps,
    private readonly settings: ExportSettings = exportSettingsFromEnv(),
  ) {
    this.tables = exportTables(deps.schema);
  }

  /** Exports running now (all callers). */
  get active(): number {
    return this.total;
  }

  /**
   * Answers one export request of an authenticated caller: a refusal (returned, for the server to
   * send) or the file (streamed here; null is returned).
   */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, actor: Actor, requestId: string): Promise<StoredResponse | null> {
    if (req.method !== 'GET') return json(405, { errors: [{ message: 'exports are read with GET', extensions: { code: 'BAD_REQUEST' } }] }, { allow: 'GET' });
    if (url.pathname === '/export' || url.pathname === '/export/') return json(200, { exports: this.catalogue() });
    let parsed: { table: ExportTable; format: ExportFormat; variables: Record<string, unknown>; dense: boolean };
    try {
      parsed = this.parse(url);
    } catch (error) {
      if (error instanceof ExportRequestError) return refused(error);
      throw error;
    }
    const slot = this.acquire(actor.id);
    if (slot) return slot;
    try {
      return await this.stream(req, res, actor, requestId, parsed);
    } finally {
      this.release(actor.id);
    }
  }

  private parse(url: URL) {
    const match = PATH.exec(url.pathname);
    if (!match) throw new ExportRequestError('path', 'is not an export: use /export/<name>.<csv|jsonl|parquet> (GET /export lists them)', 404);
    const [, name = '', extension = ''] = match;
    const table = this.tables.get(name);
    if (!table) throw new ExportRequestError('export', `"${name}" is not an export (GET /export lists them)`, 404);
    const format = EXPORT_FORMATS.find((f) => f === extension);
    if (!format) throw new ExportRequestError('format', `"${extension}" is not a format: use csv, jsonl or parquet`);
    const { variables, options } = parseExportRequest(url.searchParams, exportArguments(table), { dense: isDenseSeries(table) });
    return { table, format, variables, dense: isDenseSeries(table) && options.dense };
  }

  /** A refusal when the caller (or the service) already runs as many exports as allowed. */
  private acquire(callerId: string): StoredResponse | null {
    const mine = this.running.get(callerId) ?? 0;
    const busy = mine >= this.settings.perCaller ? 'CALLER' : this.total >= this.settings.total ? 'SERVICE' : null;
    if (busy) {
      const message =
        busy === 'CALLER'
          ? `this caller already runs ${mine} exports (at most ${this.settings.perCaller} at once): wait for one to finish`
          : 'the service runs as many exports as it takes at once: retry shortly';
      return json(busy === 'CALLER' ? 429 : 503, { errors: [{ message, extensions: { code: 'BUSY', scope: busy } }] }, { 'retry-after': String(this.settings.retryAfterSeconds) });
    }
    this.running.set(callerId, mine + 1);
    this.total++;
    return null;
  }

  private release(callerId: string): void {
    const mine = (this.running.get(callerId) ?? 1) - 1;
    if (mine > 0) this.running.set(callerId, mine);
    else this.running.delete(callerId);
    this.total--;
  }

  private catalogue() {
    return [...this.tables.values()].map((t) => ({
      name: t.name,
      paged: t.pagedAt !== null,
      arguments: exportArguments(t).map((a) => ({ name: a.name, type: String(a.type) })),
      columns: t.columns.map((c) => ({ name: c.name, type: c.kind })),
    }));
  }

  /** Runs the export's operation once (one page of a list). */
  private async run(actor: Actor, req: IncomingMessage, requestId: string, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await this.deps.apollo.executeOperation(
      { query, variables, operationName: 'Export' },
      { contextValue: this.deps.contextFor(actor, req, requestId, this.settings.pageSize) },
    );
    if (response.body.kind !== 'single') throw new Error('an export operation answered incrementally');
    const { data, errors } = response.body.singleResult;
    if (errors?.length) throw new OperationFailed(statusOf(errors, response.http.status), errors);
    if (!data) throw new OperationFailed(500, [{ message: 'the export operation answered no data', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    return data;
  }

  private async stream(
    req: IncomingMessage,
    res: ServerResponse,
    actor: Actor,
    requestId: string,
    { table, format, variables, dense }: { table: ExportTable; format: ExportFormat; variables: Record<string, unknown>; dense: boolean },
  ): Promise<StoredResponse | null> {
    const log = this.deps.logger.child({ requestId, export: table.name, format });
    // what ANALYST callers are refused (required numbers about people) is left out, not failed on
    const columns: Column[] = seesPersonalData({ actor }) ? [...table.columns] : table.columns.filter((c) => !c.refusedWhenMasked);
    const query = exportOperation(table, columns, exportArguments(table));
    const paged = table.pagedAt !== null;
    let pageSize = this.settings.pageSize;
    let after = typeof variables.after === 'string' ? variables.after : null;
    const runPage = () => this.run(actor, req, requestId, query, paged ? { ...variables, first: pageSize, after } : variables);

    // the first page decides the answer's status: an error there is a plain error response
    let data: Record<string, unknown>;
    for (;;) {
      try {
        data = await runPage();
        break;
      } catch (error) {
        // a page whose rows cost more than the limit allows: smaller pages, the same rows
        if (error instanceof OperationFailed && paged && pageSize > 1 && error.errors.some((e) => e.extensions?.code === 'QUERY_REJECTED' && /cost/.test(e.message))) {
          pageSize = Math.floor(pageSize / 2);
          continue;
        }
        if (error instanceof OperationFailed) return json(error.status, { errors: error.errors });
        throw error;
      }
    }
    if (dense) {
      try {
        await fillSeries(this.deps.schema, data, variables, (ids) => this.campaigns(actor, req, requestId, columns, ids));
      } catch (error) {
        if (error instanceof OperationFailed) return json(error.status, { errors: error.errors });
        throw error;
      }
    }

    const sink = new ResponseSink(res);
    // built before the status is sent: a writer that cannot be made is a plain error response
    const writer = rowWriter(format, sink, columns);
    const filename = `${table.name.replace(/\//g, '_')}.${format}`;
    // a complete file ends with this trailer (chunked responses only: not to an HTTP/1.0 client);
    // an export that fails midway aborts the connection instead
    const trailer = req.httpVersion !== '1.0';
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...(trailer ? { trailer: 'x-export-complete' } : {}),
    });
    let rows = 0;
    try {
      for (;;) {
        const page = pageOf(table, columns, data);
        rows += page.rows.length;
        // the next page is read while this one is written: two pages in memory at most
        let next: Promise<Record<string, unknown>> | null = null;
        if (paged && page.next) {
          after = page.next;
          next = runPage();
          next.catch(() => undefined); // awaited below, unless the client went away first
        }
        await writer.write(page.rows);
        if (!next) break;
        if (sink.closed) throw new ClientGone();
        data = await next;
      }
      await writer.finish();
      if (trailer) res.addTrailers({ 'x-export-complete': `${rows} rows` });
      res.end();
      log.info({ rows }, 'export done');
    } catch (error) {
      if (error instanceof ClientGone || sink.closed) log.info({ rows }, 'export stopped: the client closed the connection');
      else log.error({ err: error, rows }, 'export failed midway: connection aborted');
      // never end a file that is not whole: the client sees the transfer fail, not a short file
      res.destroy();
    }
    return null;
  }

  /** Campaigns by global id, with the columns' campaign selection (for the cells of a dense series). */
  private async campaigns(actor: Actor, req: IncomingMessage, requestId: string, columns: readonly Column[], ids: string[]) {
    const found = new Map<string, Record<string, unknown>>();
    const selection = selectionOf(columns, 1, ['campaign']);
    if (!selection) return found;
    for (const id of ids) {
      const data = await this.run(actor, req, requestId, `query Export($id: ID!) { campaign(id: $id) { ${selection} } }`, { id });
      const campaign = data.campaign as Record<string, unknown> | null;
      if (campaign) found.set(id, campaign);
    }
    return found;
  }
}
