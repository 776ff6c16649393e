/**
 * The views of the `bi` schema (migrations/1732790000000-bi-schema.ts), each with its
 * description and one for every column: the migration turns them into COMMENT ON VIEW /
 * COLUMN, so `\d+ bi.leads` in psql and a BI tool's data dictionary show them.
 *
 * Personal data reads exactly as the API shows it to ANALYST callers (src/auth/analyst-fields.ts):
 * emails as the keyed pseudonym `redacted-<16 hex>@example.invalid` (HMAC-SHA256 of the email,
 * ASCII letters lowercased, under the key of table pseudonym_key, computed inline with the
 * built-in sha256(): no function a caller could feed emails to), names and free text as
 * "[redacted]", an absent value stays null.
 */

export interface BiView {
  name: string;
  comment: string;
  /** Column name to its description, in the order of the view's select list. */
  columns: Record<string, string>;
  sql: string;
  /**
   * The view hides rows (a WHERE of its own): security_barrier, so a caller's function in a
   * query on it never sees the rows it hides (a login could make one in pg_temp).
   */
  hidesRows?: true;
}

/** A global id of the API (src/graphql/node.ts): base64 of "Type:id" (short: no line breaks). */
const gid = (type: string, column: string) => `encode(convert_to('${type}:' || ${column}, 'UTF8'), 'base64')`;

/** What the API shows ANALYST callers for a masked text: "[redacted]", null when there is none. */
const redact = (column: string) => `CASE WHEN ${column} IS NULL THEN NULL ELSE '[redacted]' END`;

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/**
 * The pseudonym of an email: HMAC-SHA256 (RFC 2104) with the key's pads, first 16 hex digits.
 * The pads are scalar subqueries (read once per statement, with the view owner's rights).
 */
const pseudonym = (column: string) => `CASE WHEN ${column} IS NULL THEN NULL ELSE
    'redacted-' || left(encode(sha256((SELECT outer_pad FROM public.pseudonym_key)
      || sha256((SELECT inner_pad FROM public.pseudonym_key)
      || convert_to(translate(${column}, '${UPPER}', '${UPPER.toLowerCase()}'), 'UTF8'))), 'hex'), 16) || '@example.invalid' END`;

const ID_NOTE = 'global id of the API (the `id` of GraphQL, accepted by `node(id)`)';
const UPDATED = 'last change of the row (set by the database on every change): pull rows with updated_at > your last one';
const REDACTED = '"[redacted]" when set (personal or free text, as for ANALYST callers), null otherwise';
const EMAIL = 'stable pseudonym of the email, redacted-<16 hex>@example.invalid (the one ANALYST callers read): joins and counts, never the address';

export const BI_VIEWS: readonly BiView[] = [
  {
    name: 'users',
    comment: 'People on the teams (owners of accounts and deals, givers of feedback, approvers). Names and emails masked.',
    columns: {
      user_id: 'internal id', global_id: ID_NOTE, external_id: REDACTED, name: REDACTED, email: EMAIL,
      team: 'MARKETING, SALES, REVENUE_OPS or EXECUTIVE', created_at: 'when the user was created', updated_at: UPDATED,
    },
    sql: `SELECT u.id, ${gid('User', 'u.id')}, ${redact('u.external_id')}, ${redact('u.name')}, ${pseudonym('u.email')},
                 u.team, u.created_at, u.updated_at
          FROM public.users u`,
  },
  {
    name: 'accounts',
    comment: 'Companies we sell to. Deleted accounts are listed in bi.deletions.',
    columns: {
      account_id: 'internal id', global_id: ID_NOTE, external_id: 'id in the source system (CRM), null when none',
      name: 'company name', domain: 'web domain (lowercase)', segment: 'SMB, MID_MARKET or ENTERPRISE', industry: 'industry, null when unknown',
      wallet_size: 'estimated annual spend of the account in our category (share of wallet divides by it), null when unknown',
      owner_user_id: 'bi.users.user_id of the owner, null when none', attributes: 'custom attributes (JSON object of typed values) that fit rules read',
      created_at: 'when the account was created', updated_at: UPDATED, version: 'optimistic-lock version, +1 per change',
    },
    sql: `SELECT a.id, ${gid('Account', 'a.id')}, a.external_id, a.name, a.domain, a.segment, a.industry, a.wallet_size,
                 a.owner_id, a.attributes, a.created_at, a.updated_at, a.version
          FROM public.accounts a`,
  },
  {
    name: 'leads',
    comment: 'People, usually at an account, with their lifecycle stage and the first time each stage was reached. Emails pseudonymized, names masked; an erased lead keeps its facts (erased_at set).',
    columns: {
      lead_id: 'internal id', global_id: ID_NOTE, external_id: REDACTED, email: EMAIL, first_name: REDACTED, last_name: REDACTED, title: REDACTED,
      account_id: 'bi.accounts.account_id, null when none', stage: 'NEW, MQL, SAL, SQL, OPPORTUNITY, CUSTOMER, RECYCLED or DISQUALIFIED',
      created_at: 'when the lead was created (the funnel cohort time)', mql_at: 'first time MQL was reached', sal_at: 'first time SAL was reached',
      sql_at: 'first time SQL was reached', opportunity_at: 'first time OPPORTUNITY was reached', customer_at: 'first time CUSTOMER was reached',
      recycled_at: 'first time the lead was recycled', disqualified_at: 'first time the lead was disqualified',
      erased_at: 'when its personal data was erased (right to erasure), null when not', updated_at: UPDATED, version: 'optimistic-lock version',
    },
    sql: `SELECT l.id, ${gid('Lead', 'l.id')}, ${redact('l.external_id')}, ${pseudonym('l.email')}, ${redact('l.first_name')},
                 ${redact('l.last_name')}, ${redact('l.title')}, l.account_id, l.stage, l.created_at, l.mql_at, l.sal_at, l.sql_at,
                 l.opportunity_at, l.customer_at, l.recycled_at, l.disqualified_at, l.erased_at, l.updated_at, l.version
          FROM public.leads l`,
  },
  {
    name: 'campaigns',
    comment: 'Marketing and sales programs.',
    columns: {
      campaign_id: 'internal id', global_id: ID_NOTE, external_id: 'id in the source system, null when none', name: 'campaign name',
      channel: 'PAID_SEARCH, PAID_SOCIAL, EMAIL, EVENT, WEBINAR, CONTENT, DIRECT_MAIL, REFERRAL, ORGANIC, OUTBOUND or PARTNER',
      owner_team: 'MARKETING or SALES', starts_on: 'first day (calendar date)', ends_on: 'last day, null when open-ended',
      budget: 'budget, null when none', created_at: 'when the campaign was created', updated_at: UPDATED, version: 'optimistic-lock version',
    },
    sql: `SELECT c.id, ${gid('Campaign', 'c.id')}, c.external_id, c.name, c.channel, c.owner_team, c.starts_on, c.ends_on, c.budget,
                 c.created_at, c.updated_at, c.version
          FROM public.campaigns c`,
  },
  {
    name: 'campaign_spend',
    comment: 'Money spent on a campaign on a calendar day (the day stands for its 00:00 UTC in the metrics).',
    columns: {
      spend_id: 'internal id', global_id: ID_NOTE, external_id: 'id in the source system, null when none',
      campaign_id: 'bi.campaigns.campaign_id', spent_on: 'the day of the spend', amount: 'amount (exact decimal, 2 places)',
      created_at: 'when the entry was created', updated_at: UPDATED,
    },
    sql: `SELECT s.id, ${gid('CampaignSpend', 's.id')}, s.external_id, s.campaign_id, s.spent_on, s.amount, s.created_at, s.updated_at
          FROM public.campaign_spend s`,
  },
  {
    name: 'touchpoints',
    comment: 'One interaction of a lead with a campaign at a time.',
    columns: {
      touchpoint_id: 'internal id', global_id: ID_NOTE, external_id: 'id in the source system, null when none', lead_id: 'bi.leads.lead_id',
      campaign_id: 'bi.campaigns.campaign_id', kind: 'AD_CLICK, EMAIL_CLICK, FORM_FILL, WEBINAR_ATTENDED, MEETING, ... (the API\'s TouchpointKind)',
      occurred_at: 'when it happened (touches are ordered by occurred_at, then touchpoint_id)', created_at: 'when it was stored', updated_at: UPDATED,
    },
    sql: `SELECT t.id, ${gid('Touchpoint', 't.id')}, t.external_id, t.lead_id, t.campaign_id, t.kind, t.occurred_at, t.created_at, t.updated_at
          FROM public.touchpoints t`,
  },
  {
    name: 'opportunities',
    comment: 'Deals with accounts. Deal names and lost reasons are free text, masked.',
    columns: {
      opportunity_id: 'internal id', global_id: ID_NOTE, external_id: 'id in the source system, null when none', account_id: 'bi.accounts.account_id',
      name: REDACTED, kind: 'NEW_BUSINESS, EXPANSION or RENEWAL', stage: 'PROSPECTING, QUALIFICATION, PROPOSAL, NEGOTIATION, CLOSED_WON or CLOSED_LOST',
      amount: 'amount (exact decimal)', owner_user_id: 'bi.users.user_id of the owner, null when none', lost_reason: REDACTED,
      created_at: 'when the deal was created (pipeline time)', closed_at: 'when it was closed (won: revenue time), null while open', updated_at: UPDATED,
      version: 'optimistic-lock version',
    },
    sql: `SELECT o.id, ${gid('Opportunity', 'o.id')}, o.external_id, o.account_id, ${redact('o.name')}, o.kind, o.stage, o.amount, o.owner_id,
                 ${redact('o.lost_reason')}, o.created_at, o.closed_at, o.updated_at, o.version
          FROM public.opportunities o`,
  },
  {
    name: 'opportunity_contacts',
    comment: 'The leads that are contacts of a deal. No updated_at of its own: re-read the contacts of the opportunities whose updated_at moved (a change of contacts moves it), and drop those of deleted leads and opportunities (bi.deletions).',
    columns: { opportunity_id: 'bi.opportunities.opportunity_id', lead_id: 'bi.leads.lead_id' },
    sql: `SELECT oc.opportunity_id, oc.lead_id FROM public.opportunity_contacts oc`,
  },
  {
    name: 'lead_stage_changes',
    comment: 'Every change of a lead\'s stage (append-only stage history).',
    columns: {
      stage_change_id: 'internal id', global_id: ID_NOTE, lead_id: 'bi.leads.lead_id', from_stage: 'stage before, null for the first entry',
      to_stage: 'stage after', changed_at: 'when the change happened (may be back-dated by a historical load)',
      changed_by_user_id: 'bi.users.user_id of who made it, null when unknown',
      qualified_by_agreement_id: 'for an automatic MQL: bi.alignment_agreements.agreement_id whose policy qualified the lead, else null',
      qualified_by_version: 'for an automatic MQL: that agreement\'s version, else null', qualifying_at: 'for an automatic MQL: the qualifying time, else null',
      updated_at: 'when the entry was stored (not the back-dated changed_at): pull entries with updated_at > your last one',
    },
    sql: `SELECT c.id, ${gid('LeadStageChange', 'c.id')}, c.lead_id, c.from_stage, c.to_stage, c.changed_at, c.changed_by_id,
                 c.qualified_by_agreement_id, c.qualified_by_version, c.qualifying_at, c.updated_at
          FROM public.lead_stage_changes c`,
  },
  {
    name: 'lead_feedback',
    comment: 'Sales\' verdict on leads marketing handed over (the closed loop). Notes are free text, masked.',
    columns: {
      feedback_id: 'internal id', global_id: ID_NOTE, external_id: 'id in the source system, null when none', lead_id: 'bi.leads.lead_id',
      given_by_user_id: 'bi.users.user_id of who gave it, null when unknown', disposition: 'ACCEPTED or REJECTED',
      reason: 'rejection reason (BAD_FIT, NO_BUDGET, BAD_TIMING, DUPLICATE, UNREACHABLE, ALREADY_CUSTOMER, OTHER), null when accepted',
      note: REDACTED, given_at: 'when it was given', updated_at: UPDATED,
    },
    sql: `SELECT f.id, ${gid('LeadFeedback', 'f.id')}, f.external_id, f.lead_id, f.given_by_id, f.disposition, f.reason, ${redact('f.note')},
                 f.given_at, f.updated_at
          FROM public.lead_feedback f`,
  },
  {
    name: 'alignment_agreements',
    comment: 'Versions of the marketing-sales SLA with their qualification policy settings; in force once both teams approved it, from effective_from.',
    columns: {
      agreement_id: 'internal id', global_id: ID_NOTE, version: 'version number (1, 2, ...)', effective_from: 'in force from this time (once approved)',
      approved: 'approved by both a MARKETING and a SALES user', mql_threshold: 'score at which a lead qualifies as MQL',
      follow_up_hours: 'hours sales commits to follow up an MQL within', monthly_mql_target: 'MQLs marketing commits to deliver per month',
      notes: REDACTED, proposed_by_user_id: 'bi.users.user_id of the proposer, null when unknown',
      marketing_approved_by_user_id: 'bi.users.user_id of the MARKETING approver, null until approved', marketing_approved_at: 'when marketing approved',
      sales_approved_by_user_id: 'bi.users.user_id of the SALES approver, null until approved', sales_approved_at: 'when sales approved',
      engagement_half_life_days: 'policy: half-life of engagement points in days, null when none', engagement_window_days: 'policy: window of counted touches in days, null when none',
      fit_cap: 'policy: cap of fit points, null when none', engagement_cap: 'policy: cap of engagement points, null when none',
      min_fit: 'policy: minimum fit points to qualify, null when none', min_engagement: 'policy: minimum engagement points to qualify, null when none',
      created_at: 'when the version was proposed', updated_at: UPDATED,
    },
    sql: `SELECT a.id, ${gid('AlignmentAgreement', 'a.id')}, a.version, a.effective_from,
                 a.marketing_approved_at IS NOT NULL AND a.sales_approved_at IS NOT NULL, a.mql_threshold, a.follow_up_hours, a.monthly_mql_target,
                 ${redact('a.notes')}, a.proposed_by_id, a.marketing_approved_by_id, a.marketing_approved_at, a.sales_approved_by_id, a.sales_approved_at,
                 p.engagement_half_life_days, p.engagement_window_days, p.fit_cap, p.engagement_cap, p.min_fit, p.min_engagement,
                 a.created_at, a.updated_at
          FROM public.alignment_agreements a
          LEFT JOIN public.qualification_policies p ON p.id = a.policy_id`,
  },
  {
    name: 'qualification_rules',
    comment: 'The fit and engagement rules of each agreement\'s qualification policy (configuration, not personal data). Re-read with their agreement when its updated_at moves.',
    columns: {
      agreement_id: 'bi.alignment_agreements.agreement_id', kind: 'FIT or ENGAGEMENT', position: '1, 2, ... within its kind',
      attribute: 'FIT: the field or custom attribute the rule reads, null for ENGAGEMENT', operator: 'FIT: EQUALS, IN, CONTAINS, GTE, LTE or EXISTS',
      values: 'FIT: the values compared with (JSON array)', touch_kinds: 'ENGAGEMENT: touch kinds counted (empty: any)',
      channels: 'ENGAGEMENT: channels counted (empty: any)', points: 'points the rule gives',
    },
    sql: `SELECT a.id, r.kind, r.position, r.attribute, r.operator, r."values", r.touch_kinds, r.channels, r.points
          FROM public.qualification_rules r
          JOIN public.alignment_agreements a ON a.policy_id = r.policy_id`,
  },
  {
    name: 'import_jobs',
    comment: 'Bulk import jobs and their outcomes (jobs still uploading are not shown, as in the API). Who started a job and its message are masked.',
    columns: {
      import_job_id: 'internal id', global_id: ID_NOTE, state: 'QUEUED, RUNNING, DONE, FAILED or CANCELLED', format: 'CSV or JSONL',
      mode: 'CREATE, UPDATE or UPSERT', atomic: 'all-or-nothing per file', kinds: 'kinds of its files (ACCOUNTS, LEADS, ...), in file order',
      created_by: REDACTED, created_at: 'when it was queued', started_at: 'when a run first started, null before',
      finished_at: 'when it ended (DONE, FAILED or CANCELLED), null before', duration_seconds: 'finished_at - started_at in seconds, null until both are set',
      attempts: 'runs started (more than 1: a replica died during a run)', processed_rows: 'rows processed', created_rows: 'rows stored that were not there',
      updated_rows: 'stored rows that changed', unchanged_rows: 'rows already stored as they are', failed_rows: 'rows that failed',
      cancel_requested: 'a cancel was asked for', message: REDACTED, updated_at: UPDATED,
    },
    sql: `SELECT j.id, ${gid('ImportJob', 'j.id')}, j.state, upper(j.format), j.mode, j.atomic,
                 ARRAY(SELECT upper(f.kind) FROM public.import_job_files f WHERE f.job_id = j.id ORDER BY f.file_no),
                 ${redact('j.created_by')}, j.created_at, j.started_at, j.finished_at,
                 extract(epoch FROM j.finished_at - j.started_at), j.attempts, j.processed_rows, j.created_rows, j.updated_rows,
                 j.unchanged_rows, j.failed_rows, j.cancel_requested, ${redact('j.message')}, j.updated_at
          FROM public.import_jobs j
          WHERE j.state <> 'UPLOADING'`,
    hidesRows: true,
  },
  {
    name: 'import_job_files',
    comment: 'The files of each import job and what was done with their rows.',
    columns: {
      import_job_id: 'bi.import_jobs.import_job_id', file_no: 'position of the file in the job (0, 1, ...)',
      kind: 'ACCOUNTS, USERS, CAMPAIGNS, SPEND, LEADS, TOUCHPOINTS, OPPORTUNITIES or FEEDBACK', preset: 'header preset, e.g. hubspot-contacts, null when none',
      bytes: 'size of the file in bytes', done: 'every row of the file was processed', processed_rows: 'rows processed', created_rows: 'rows created',
      updated_rows: 'rows changed', unchanged_rows: 'rows already as stored', failed_rows: 'rows that failed',
    },
    sql: `SELECT f.job_id, f.file_no, upper(f.kind), f.preset, f.bytes, f.done, f.processed_rows, f.created_rows, f.updated_rows,
                 f.unchanged_rows, f.failed_rows
          FROM public.import_job_files f
          JOIN public.import_jobs j ON j.id = f.job_id AND j.state <> 'UPLOADING'`,
    hidesRows: true,
  },
  {
    name: 'deletions',
    comment: 'Tombstones: every deleted row of the entity views (recorded by the database on every DELETE, whoever deletes; cascades included). A warehouse sync removes these after pulling changes. Erasure is not deletion: an erased lead stays in bi.leads with erased_at.',
    columns: {
      entity: 'the bi view the row was in: accounts, leads, campaigns, campaign_spend, touchpoints, opportunities, lead_stage_changes, lead_feedback or alignment_agreements',
      id: 'its internal id (the view\'s <entity>_id column)', global_id: 'its global id in the API',
      deleted_at: 'when it was deleted (time of the deleting transaction): pull tombstones with deleted_at > your last one',
    },
    sql: `SELECT d.entity, d.row_id, encode(convert_to(d.node_type || ':' || d.row_id, 'UTF8'), 'base64'), d.deleted_at
          FROM public.deleted_rows d`,
  },
  {
    name: 'campaign_daily_activity',
    comment: 'Per campaign and UTC day: spend, touches, leads sourced and MQLs, exactly as campaignPerformance counts them for a window of whole UTC days (docs/metrics.md): sum the days of a window to get the API\'s figures. One row per campaign and day with any of them.',
    columns: {
      day: 'the UTC calendar day', campaign_id: 'bi.campaigns.campaign_id', campaign_global_id: 'global id of the campaign in the API',
      campaign_name: 'campaign name', channel: 'the campaign\'s channel', owner_team: 'MARKETING or SALES',
      spend: 'sum of the campaign\'s spend entries whose spent_on is the day (0 when none)',
      touches: 'the campaign\'s touchpoints whose occurred_at is in the UTC day',
      leads_sourced: 'leads whose first touch ever (in (occurred_at, id) order) is with the campaign and lies in the UTC day',
      mqls: 'leads sourced by the campaign (first touch ever, whenever it was) whose mql_at lies in the UTC day',
    },
    sql: `SELECT k.day, c.id, ${gid('Campaign', 'c.id')}, c.name, c.channel, c.owner_team,
                 coalesce(s.spend, 0)::numeric(18,2), coalesce(t.touches, 0)::bigint, coalesce(d.leads_sourced, 0)::bigint, coalesce(d.mqls, 0)::bigint
          FROM (SELECT spent_on AS day, campaign_id FROM public.campaign_spend
                UNION SELECT day, campaign_id FROM public.campaign_daily_touches WHERE touches <> 0
                UNION SELECT day, campaign_id FROM public.campaign_daily_sourcing WHERE leads_sourced <> 0 OR mqls <> 0) k
          JOIN public.campaigns c ON c.id = k.campaign_id
          LEFT JOIN (SELECT spent_on, campaign_id, sum(amount) AS spend FROM public.campaign_spend GROUP BY 1, 2) s
                 ON s.spent_on = k.day AND s.campaign_id = k.campaign_id
          LEFT JOIN public.campaign_daily_touches t ON t.day = k.day AND t.campaign_id = k.campaign_id
          LEFT JOIN public.campaign_daily_sourcing d ON d.day = k.day AND d.campaign_id = k.campaign_id`,
  },
  {
    name: 'lead_stage_times',
    comment: 'The funnel: one row per lead with the first time it reached each stage, its source (first touch ever) and the fractional days of each step, as the funnel query measures them (docs/metrics.md, Funnel).',
    columns: {
      lead_id: 'bi.leads.lead_id', lead_global_id: 'global id of the lead in the API', account_id: 'bi.accounts.account_id, null when none',
      stage: 'current stage', created_at: 'creation (the cohort time)', mql_at: 'first MQL', sal_at: 'first SAL', sql_at: 'first SQL',
      opportunity_at: 'first OPPORTUNITY', customer_at: 'first CUSTOMER', recycled_at: 'first recycled', disqualified_at: 'first disqualified',
      source_campaign_id: 'campaign of the lead\'s first touch ever ((occurred_at, id) order), null when it has none',
      source_channel: 'that campaign\'s channel (the funnel\'s CHANNEL group), null when it has no touch', first_touch_at: 'time of the first touch ever',
      days_new_to_mql: '(mql_at - created_at) in fractional days', days_mql_to_sal: '(sal_at - mql_at) in fractional days',
      days_sal_to_sql: '(sql_at - sal_at) in fractional days', days_sql_to_opportunity: '(opportunity_at - sql_at) in fractional days',
      days_opportunity_to_customer: '(customer_at - opportunity_at) in fractional days',
    },
    sql: `SELECT l.id, ${gid('Lead', 'l.id')}, l.account_id, l.stage, l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at,
                 l.recycled_at, l.disqualified_at, ft.campaign_id, c.channel, ft.occurred_at,
                 (extract(epoch FROM l.mql_at - l.created_at) / 86400)::float8,
                 (extract(epoch FROM l.sal_at - l.mql_at) / 86400)::float8,
                 (extract(epoch FROM l.sql_at - l.sal_at) / 86400)::float8,
                 (extract(epoch FROM l.opportunity_at - l.sql_at) / 86400)::float8,
                 (extract(epoch FROM l.customer_at - l.opportunity_at) / 86400)::float8
          FROM public.leads l
          LEFT JOIN public.lead_first_touches ft ON ft.lead_id = l.id
          LEFT JOIN public.campaigns c ON c.id = ft.campaign_id`,
  },
];

/** The base tables the views read: the views' owner gets SELECT on these and nothing else. */
export const BI_SOURCE_TABLES = [
  'users', 'accounts', 'leads', 'campaigns', 'campaign_spend', 'touchpoints', 'opportunities', 'opportunity_contacts', 'lead_stage_changes',
  'lead_feedback', 'alignment_agreements', 'qualification_policies', 'qualification_rules', 'import_jobs', 'import_job_files',
  'campaign_daily_touches', 'campaign_daily_sourcing', 'lead_first_touches', 'deleted_rows', 'pseudonym_key',
] as const;

/** Tables whose deletions bi.deletions records: table, bi entity, node type of the API. */
export const TOMBSTONED: readonly { table: string; nodeType: string }[] = [
  { table: 'accounts', nodeType: 'Account' },
  { table: 'leads', nodeType: 'Lead' },
  { table: 'campaigns', nodeType: 'Campaign' },
  { table: 'campaign_spend', nodeType: 'CampaignSpend' },
  { table: 'touchpoints', nodeType: 'Touchpoint' },
  { table: 'opportunities', nodeType: 'Opportunity' },
  { table: 'lead_stage_changes', nodeType: 'LeadStageChange' },
  { table: 'lead_feedback', nodeType: 'LeadFeedback' },
  { table: 'alignment_agreements', nodeType: 'AlignmentAgreement' },
];
