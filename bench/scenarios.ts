/**
 * The GraphQL requests of the bench, (a) to (f), and (b) again in PostGraphile's dialect.
 * Every report of (c) to (e) runs over the 12 months before the demo anchor.
 */

export const WINDOW = { from: '2025-11-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
export const AS_OF = '2026-11-01T00:00:00Z';

export const RULE_BASED_MODELS = [
  'FIRST_TOUCH',
  'LAST_TOUCH',
  'LINEAR',
  'TIME_DECAY',
  'POSITION_BASED',
  'W_SHAPED',
  'FULL_PATH',
  'CUSTOM',
] as const;
export const MODELS = [...RULE_BASED_MODELS, 'DATA_DRIVEN'] as const;
export type Model = (typeof MODELS)[number];

/** Weights of the CUSTOM model (sum 1). */
export const CUSTOM_ROLE_WEIGHTS = { first: 0.3, leadConversion: 0.2, opportunityCreation: 0.3, close: 0.2 };

/** The model of scenario (d). */
export const TIME_SERIES_MODEL = 'LINEAR';

export interface Scenario {
  /** Short key: a, b, b-postgraphile, c-LINEAR, d, e. */
  key: string;
  label: string;
  /** JSON bodies, sent in turn (several only for (a), one account id each). */
  bodies: string[];
  /** Checks a parsed successful answer; returns what is wrong, or null. */
  check(data: Record<string, unknown>): string | null;
}

function body(query: string, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables });
}

export function accountGlobalId(id: string): string {
  return Buffer.from(`Account:${id}`, 'utf8').toString('base64');
}

const ACCOUNT_QUERY = `query AccountById($id: ID!) {
  account(id: $id) { id name domain segment industry createdAt }
}`;

export function accountScenario(accountIds: string[]): Scenario {
  return {
    key: 'a',
    label: '(a) account(id), 6 fields',
    bodies: accountIds.map((id) => body(ACCOUNT_QUERY, { id: accountGlobalId(id) })),
    check: (data) => (data.account ? null : 'account is null'),
  };
}

/** (a) in PostGraphile's names: the same six columns of one account, by its primary key. */
const POSTGRAPHILE_ACCOUNT_QUERY = `query AccountById($rowId: BigInt!) {
  accountByRowId(rowId: $rowId) { id name domain segment industry createdAt }
}`;

export function postgraphileAccountScenario(accountIds: string[]): Scenario {
  return {
    key: 'a-postgraphile',
    label: '(a) the same, served by PostGraphile 5',
    bodies: accountIds.map((id) => body(POSTGRAPHILE_ACCOUNT_QUERY, { rowId: id })),
    check: (data) => (data.accountByRowId ? null : 'accountByRowId is null'),
  };
}

const NESTED_QUERY = `query NestedLists {
  accounts(first: 50, orderBy: { field: NAME, direction: ASC }) {
    edges { node {
      id name domain
      opportunities(first: 10, orderBy: { field: CREATED_AT, direction: DESC }) {
        edges { node { id name amount stage createdAt } }
      }
      leads(first: 10, orderBy: { field: CREATED_AT, direction: ASC }) {
        edges { node {
          id email stage createdAt
          touchpoints(first: 5) { edges { node { id kind occurredAt } } }
        } }
      }
    } }
  }
}`;

interface Edges<T> {
  edges: { node: T }[];
}

function nestedShape(accounts: unknown[], leadsOf: (a: never) => unknown[] | undefined): string | null {
  if (accounts.length !== 50) return `expected 50 accounts, got ${accounts.length}`;
  const leads = accounts.reduce<number>((n, a) => n + (leadsOf(a as never)?.length ?? 0), 0);
  return leads === 0 ? 'no account has a lead' : null;
}

export function nestedScenario(): Scenario {
  type Account = { leads: Edges<unknown> };
  return {
    key: 'b',
    label: '(b) 50 accounts › 10 opportunities + 10 leads › 5 touchpoints',
    bodies: [body(NESTED_QUERY)],
    check: (data) => {
      const accounts = (data.accounts as Edges<Account> | undefined)?.edges.map((e) => e.node) ?? [];
      return nestedShape(accounts, (a: Account) => a.leads.edges);
    },
  };
}

/** The same request in the names PostGraphile's Amber preset derives from the tables. */
const POSTGRAPHILE_NESTED_QUERY = `query NestedLists {
  allAccounts(first: 50, orderBy: [NAME_ASC, ROW_ID_ASC]) {
    edges { node {
      id name domain
      opportunitiesByAccountId(first: 10, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
        edges { node { id name amount stage createdAt } }
      }
      leadsByAccountId(first: 10, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
        edges { node {
          id email stage createdAt
          touchpointsByLeadId(first: 5, orderBy: [OCCURRED_AT_ASC, ROW_ID_ASC]) { edges { node { id kind occurredAt } } }
        } }
      }
    } }
  }
}`;

export function postgraphileNestedScenario(): Scenario {
  type Account = { leadsByAccountId: Edges<unknown> };
  return {
    key: 'b-postgraphile',
    label: '(b) the same, served by PostGraphile 5',
    bodies: [body(POSTGRAPHILE_NESTED_QUERY)],
    check: (data) => {
      const accounts = (data.allAccounts as Edges<Account> | undefined)?.edges.map((e) => e.node) ?? [];
      return nestedShape(accounts, (a: Account) => a.leadsByAccountId.edges);
    },
  };
}

const PERFORMANCE_QUERY = `query CampaignPerformance($input: CampaignPerformanceInput!) {
  campaignPerformance(input: $input) {
    from to model totalPipeline totalRevenue unattributedPipeline unattributedRevenue
    rows {
      campaign { id name }
      spend touches leadsSourced mqls attributedPipeline attributedRevenue attributedWins
      roi roas costPerLead costPerMql
    }
  }
}`;

export function performanceScenario(model: Model): Scenario {
  const input: Record<string, unknown> = { window: WINDOW, model };
  if (model === 'CUSTOM') input.roleWeights = CUSTOM_ROLE_WEIGHTS;
  return {
    key: `c-${model}`,
    label: `(c) campaignPerformance 12 months, ${model}`,
    bodies: [body(PERFORMANCE_QUERY, { input })],
    check: (data) => {
      const report = data.campaignPerformance as { rows?: unknown[]; totalRevenue?: string | null } | undefined;
      if (!report?.rows?.length) return 'no rows';
      return report.totalRevenue ? null : 'totalRevenue is null';
    },
  };
}

const TIME_SERIES_QUERY = `query RevenueTimeSeries($input: RevenueTimeSeriesInput!) {
  revenueTimeSeries(input: $input) {
    grain by model
    rows { periodStart from to channel spend attributedPipeline attributedRevenue }
  }
}`;

export function timeSeriesScenario(): Scenario {
  return {
    key: 'd',
    label: `(d) revenueTimeSeries 12 months by MONTH and CHANNEL, ${TIME_SERIES_MODEL}`,
    bodies: [body(TIME_SERIES_QUERY, { input: { window: WINDOW, grain: 'MONTH', by: 'CHANNEL', model: TIME_SERIES_MODEL } })],
    check: (data) => {
      const rows = (data.revenueTimeSeries as { rows?: unknown[] } | undefined)?.rows ?? [];
      return rows.length >= 12 ? null : `expected rows for 12 months, got ${rows.length}`;
    },
  };
}

const WALLET_QUERY = `query WalletShare($input: WalletShareInput) {
  walletShare(input: $input) {
    asOf
    portfolio {
      accounts accountsWithWalletSize revenue12m walletSize whitespace shareOfWallet
      expansionRevenue12m openExpansionPipeline netRevenueRetention retentionBaseAccounts
    }
  }
}`;

export function walletScenario(): Scenario {
  return {
    key: 'e',
    label: '(e) walletShare portfolio',
    bodies: [body(WALLET_QUERY, { input: { asOf: AS_OF } })],
    check: (data) => {
      const portfolio = (data.walletShare as { portfolio?: { accounts?: number } } | undefined)?.portfolio;
      return portfolio?.accounts ? null : 'portfolio has no account';
    },
  };
}

/**
 * (f) The probe: scenario (a)'s request, sent with a second key, once on a quiet server and
 * once while another key floods it.
 */
export function accountProbeScenario(accountIds: string[], phase: 'quiet' | 'flooded'): Scenario {
  const a = accountScenario(accountIds);
  return {
    ...a,
    key: `f-${phase}`,
    label: phase === 'quiet'
      ? '(f) account(id) from a second key (EXECUTIVE), quiet'
      : '(f) account(id) from the second key while an ANALYST key floods metric queries',
  };
}

/** One request of the flood: what it is, and its JSON body. */
export interface FloodRequest {
  label: string;
  body: string;
}

const aliased = (count: number, field: (i: number) => string) =>
  `query Flood { ${Array.from({ length: count }, (_, i) => field(i)).join(' ')} }`;

/**
 * (f) The flood: the heaviest metric requests one caller can send, in turn. The first is the
 * attack as it was reported (ten aliased ten-year daily series by campaign), which a server
 * that prices metric work refuses for its cost; the others are sized to just below the query
 * cost limit of 50,000 as the README's "Limits" prices them, so that they are admitted and
 * run. Each alias asks for another lookback, so none is answered from the attribution cache
 * (it holds 90 days) and every one builds its journeys from the touches.
 */
export function floodRequests(): FloodRequest[] {
  const tenYears = { from: '2016-11-02T00:00:00Z', to: AS_OF };
  const twoYears = { from: '2024-11-01T00:00:00Z', to: AS_OF };
  const window = (w: { from: string; to: string }) => `window: { from: "${w.from}", to: "${w.to}" }`;
  return [
    {
      label: '10 × revenueTimeSeries, 10 years by DAY and CAMPAIGN',
      body: body(aliased(10, (i) =>
        `s${i}: revenueTimeSeries(input: { ${window(tenYears)}, grain: DAY, by: CAMPAIGN, model: LINEAR, lookbackDays: ${91 + i} }) { rows { periodStart spend attributedRevenue } }`)),
    },
    {
      label: '10 × campaignPerformance, 2 years, DATA_DRIVEN',
      body: body(aliased(10, (i) =>
        `p${i}: campaignPerformance(input: { ${window(twoYears)}, model: DATA_DRIVEN, lookbackDays: ${91 + i} }) { totalRevenue rows { campaign { id } attributedRevenue attributedWins } }`)),
    },
    {
      label: 'revenueTimeSeries, 900 days by DAY and CAMPAIGN',
      body: body(`query Flood { s: revenueTimeSeries(input: { window: { from: "2024-05-15T00:00:00Z", to: "${AS_OF}" }, grain: DAY, by: CAMPAIGN, model: LINEAR, lookbackDays: 91 }) { rows { periodStart spend attributedRevenue } } }`),
    },
  ];
}

/** Checks one answer: HTTP status, GraphQL errors, then the scenario's own check. */
export function checkAnswer(scenario: Scenario, status: number, text: string): string | null {
  let parsed: { data?: Record<string, unknown> | null; errors?: { message?: string }[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return `HTTP ${status}, not JSON: ${text.slice(0, 200)}`;
  }
  if (parsed.errors?.length) return `HTTP ${status}, GraphQL error: ${parsed.errors.map((e) => e.message).join('; ').slice(0, 300)}`;
  if (status !== 200) return `HTTP ${status}`;
  if (!parsed.data) return 'no data';
  return scenario.check(parsed.data);
}
