import type { TestDatabase } from '../helpers/db';

/*
 * Hand-made rows for the bi views tests (test/bi/bi-views.test.ts, bi-facts.test.ts), inserted
 * with plain SQL, and the helpers that set a view's row beside the API's answer.
 */

/** Times as ISO-8601 UTC strings, whichever side they come from (pg Dates, GraphQL DateTimes). */
export function normalized(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map(normalized);
  return value;
}

/** The fields of `api` renamed to the bi view's columns, beside the view's row: equal when the two doors agree. */
export function pair(api: Record<string, unknown>, row: Record<string, unknown> | undefined, columns: Record<string, string>) {
  const fromApi: Record<string, unknown> = {};
  const fromBi: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns)) {
    fromApi[column] = normalized(api[field]);
    fromBi[column] = normalized(row?.[column]);
  }
  return [fromApi, fromBi] as const;
}

export interface Edges<T> {
  edges: { node: T }[];
}
export type Node = Record<string, unknown> & { id: string };

export const JANE = 'Jane.Doe@Acme-Views.test';
// non-ASCII letters: lowercased by neither side, so the pseudonyms agree whatever the database's locale
export const UNAL = 'Ünal.ÖZ@acme-views.test';

export type Fixture = 'user' | 'account' | 'webinar' | 'search' | 'jane' | 'unal' | 'touch1' | 'touch2' | 'touch3' | 'spend1' | 'spend2' | 'spend3'
  | 'change1' | 'change2' | 'opportunity' | 'feedback' | 'agreement' | 'job';

/** Two campaigns, an account with two leads and their touches, spend, stage changes, a lost deal, feedback, an agreement, import jobs. */
export async function insertFixtures(db: TestDatabase): Promise<Record<Fixture, string>> {
  const ids = {} as Record<Fixture, string>;
  const insert = async (sql: string, params: unknown[]) => String((await db.sql<{ id: string }>(`${sql} RETURNING id`, params))[0]!.id);
  ids.user = await insert(`INSERT INTO users (name, email, team, external_id) VALUES ('Sam Seller', 'Sam.Seller@Corp.test', 'SALES', 'crm-sam')`, []);
  ids.account = await insert(
    `INSERT INTO accounts (name, domain, segment, industry, wallet_size, owner_id, external_id)
     VALUES ('Acme Views', 'acme-views.test', 'ENTERPRISE', 'Software', 100000, $1, 'acc-1')`,
    [ids.user],
  );
  ids.webinar = await insert(
    `INSERT INTO campaigns (name, channel, owner_team, starts_on, budget, external_id) VALUES ('Webinar Q1', 'WEBINAR', 'MARKETING', '2025-01-01', 5000, 'cmp-1')`,
    [],
  );
  ids.search = await insert(`INSERT INTO campaigns (name, channel, owner_team, starts_on) VALUES ('Search', 'PAID_SEARCH', 'MARKETING', '2025-01-01')`, []);
  ids.jane = await insert(
    `INSERT INTO leads (email, first_name, last_name, title, external_id, account_id, stage, created_at, mql_at, sal_at)
     VALUES ($1, 'Jane', 'Doe', 'CFO', 'crm-jane', $2, 'SAL', '2025-03-01T08:00Z', '2025-03-03T10:00Z', '2025-03-04T22:00Z')`,
    [JANE, ids.account],
  );
  ids.unal = await insert(`INSERT INTO leads (email, account_id, created_at) VALUES ($1, $2, '2025-03-02T00:00Z')`, [UNAL, ids.account]);
  // Jane's first touch ever: the webinar on 2 March (23:30 UTC); then search just after midnight
  ids.touch1 = await insert(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at, external_id) VALUES ($1, $2, 'WEBINAR_ATTENDED', '2025-03-02T23:30Z', 'tp-1')`, [ids.jane, ids.webinar]);
  ids.touch2 = await insert(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'AD_CLICK', '2025-03-03T00:10Z')`, [ids.jane, ids.search]);
  ids.touch3 = await insert(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'AD_CLICK', '2025-03-02T12:00Z')`, [ids.unal, ids.search]);
  ids.spend1 = await insert(`INSERT INTO campaign_spend (campaign_id, spent_on, amount, external_id) VALUES ($1, '2025-03-02', 100.00, 'sp-1')`, [ids.webinar]);
  ids.spend2 = await insert(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2025-03-02', 50.50)`, [ids.webinar]);
  ids.spend3 = await insert(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2025-03-05', 20.00)`, [ids.search]);
  ids.change1 = await insert(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES ($1, 'NEW', 'MQL', '2025-03-03T10:00Z')`, [ids.jane]);
  ids.change2 = await insert(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at, changed_by_id) VALUES ($1, 'MQL', 'SAL', '2025-03-04T22:00Z', $2)`, [ids.jane, ids.user]);
  ids.opportunity = await insert(
    `INSERT INTO opportunities (account_id, name, kind, stage, amount, owner_id, lost_reason, created_at, closed_at, external_id)
     VALUES ($1, 'Acme - Jane''s team', 'NEW_BUSINESS', 'CLOSED_LOST', 5000, $2, 'Jane left', '2025-04-01T00:00Z', '2025-05-01T00:00Z', 'opp-1')`,
    [ids.account, ids.user],
  );
  await db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2)`, [ids.opportunity, ids.jane]);
  ids.feedback = await insert(
    `INSERT INTO lead_feedback (lead_id, given_by_id, disposition, reason, note, given_at) VALUES ($1, $2, 'REJECTED', 'BAD_TIMING', 'Talked to Jane Doe', '2025-03-05T09:00Z')`,
    [ids.jane, ids.user],
  );
  ids.agreement = await insert(
    `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target, notes, proposed_by_id)
     VALUES (1, '2025-01-01T00:00Z', 50, 24.5, 10, 'Signed by Maria Rossi', $1)`,
    [ids.user],
  );
  ids.job = await insert(
    `INSERT INTO import_jobs (state, format, mode, created_by, created_by_role, created_at, started_at, finished_at, processed_rows, created_rows, failed_rows, message, attempts)
     VALUES ('DONE', 'csv', 'UPSERT', 'key:jane', 'ADMIN', '2025-03-01T00:00Z', '2025-03-01T00:00:05Z', '2025-03-01T00:01:05Z', 10, 9, 1, 'row 3: jane@x.test taken', 1)`,
    [],
  );
  await db.sql(
    `INSERT INTO import_job_files (job_id, file_no, kind, preset, bytes, done, processed_rows, created_rows, failed_rows) VALUES ($1, 0, 'leads', 'hubspot-contacts', 1234, true, 10, 9, 1)`,
    [ids.job],
  );
  await db.sql(`INSERT INTO import_jobs (state, format, mode, created_by, created_by_role) VALUES ('UPLOADING', 'csv', 'CREATE', 'key:x', 'ADMIN')`);
  return ids;
}
