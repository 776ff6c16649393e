import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createLogger } from '../src/common/logger';
import { createDataSource } from '../src/db/data-source';
import type { ImportKind } from '../src/imports/engine';
import { KINDS } from '../src/imports/kinds';
import { createApp } from '../src/http/server';
import { issueBenchKey } from './database';
import { WINDOW } from './scenarios';
import { benchConfig } from './statements';

/**
 * What the history import is checked by: each table's rows against what the generator wrote,
 * and one metric (campaign performance over the bench's year, LINEAR) compared between the
 * databases the CLI and HTTP filled, and with the demo the bench loaded by COPY right after its load.
 */

/** Rows of a table after each door: `written` by the generator (null for a table the import derives). */
export interface TableCount {
  table: string;
  kind: ImportKind | null;
  written: number | null;
  cli: number | null;
  http: number | null;
}

/** Tables an import fills beside its kinds' own: deal contacts, and one stage change per lead. */
export const DERIVED_TABLES = ['opportunity_contacts', 'lead_stage_changes'] as const;

export function tableOf(kind: ImportKind): string {
  return KINDS[kind].table;
}

/** count(*) of each of `tables` in the database of `url`. */
export async function countRows(url: string, tables: readonly string[]): Promise<Map<string, number>> {
  const client = new Client({ connectionString: url, application_name: 'bench-history' });
  await client.connect();
  try {
    const counts = new Map<string, number>();
    for (const table of tables) {
      const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      counts.set(table, Number(result.rows[0]?.n ?? Number.NaN));
    }
    return counts;
  } finally {
    await client.end();
  }
}

const METRIC_QUERY = `query HistoryCheck($input: CampaignPerformanceInput!) {
  campaignPerformance(input: $input) {
    totalPipeline totalRevenue unattributedPipeline unattributedRevenue
    rows { campaign { name } spend touches leadsSourced mqls attributedPipeline attributedRevenue attributedWins }
  }
}`;

export const METRIC_LABEL = `campaignPerformance LINEAR ${WINDOW.from.slice(0, 10)}..${WINDOW.to.slice(0, 10)}`;

/** The metric's answer with internal ids left out and rows in a fixed order, so two databases compare as text. */
export interface MetricAnswer {
  totalRevenue: string | null;
  campaigns: number;
  canonical: string;
}

/**
 * Asks the metric of the database of `url` through the service (createApp in this process,
 * with an EXECUTIVE key issued there, no import runner): the same answer a client would get.
 */
export async function metricAnswer(url: string): Promise<MetricAnswer> {
  const secret = await issueBenchKey(url, undefined, 'bench-history-check');
  const config = benchConfig(10_000_000);
  const ds = createDataSource({ url, statementTimeoutMs: config.limits.statementTimeoutMs, applicationName: 'bench-history-check' });
  await ds.initialize();
  const app = await createApp({ ds, config, logger: createLogger('silent'), runImports: false });
  try {
    await new Promise<void>((ok) => app.http.listen(0, '127.0.0.1', ok));
    const response = await fetch(`http://127.0.0.1:${(app.http.address() as AddressInfo).port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: METRIC_QUERY, variables: { input: { window: WINDOW, model: 'LINEAR' } } }),
    });
    const text = await response.text();
    const answer = JSON.parse(text) as { data?: { campaignPerformance?: { totalRevenue: string | null; rows: unknown[] } }; errors?: unknown[] };
    const report = answer.data?.campaignPerformance;
    if (response.status !== 200 || answer.errors || !report) throw new Error(`${METRIC_LABEL} answered ${response.status}: ${text.slice(0, 300)}`);
    const rows = report.rows.map((r) => JSON.stringify(r)).sort();
    return { totalRevenue: report.totalRevenue, campaigns: rows.length, canonical: JSON.stringify({ ...report, rows }) };
  } finally {
    await app.stop();
    await ds.destroy();
  }
}
