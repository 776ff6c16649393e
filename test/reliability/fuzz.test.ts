import 'reflect-metadata';
import fc from 'fast-check';
import { getNamedType, GraphQLField, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { createContext } from '../../src/graphql/context';
import { buildAppSchema } from '../../src/graphql/schema';
import { createTestApp, silentLogger, testActor, TestApp } from '../helpers/app';
import { gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';
import { argsArb, argumentLists, FuzzPools, selectionOf } from './fuzz-arbitraries';
import { hostileValuesFor, leavesOf, variablesWith } from './fuzz-sweep';
import { changedTables, leakProblems, snapshotDatabase, TableState, WireResult } from './support';

/*
 * Every mutation and every query (the metric reports included) with malformed and hostile
 * arguments: wrong types, huge numbers, 100k-character strings, NUL bytes and odd unicode,
 * SQL injection in filters and searches, bogus ids and cursors, invalid dates, bad enums.
 * Whatever comes in, the answer is never a 500 / INTERNAL_SERVER_ERROR, never shows a stack or
 * SQL, and a failed call leaves every table exactly as it was (row counts and checksums).
 * Two passes: every hostile value in every argument field of a valid call, one at a time; then
 * random combinations (fast-check, fixed seed; FUZZ_SEED / FUZZ_RUNS to explore further).
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20241123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

let app: TestApp;
let schema: GraphQLSchema;
let pools: FuzzPools;
const byIdRoots: Record<string, string> = {};
const config = { ...loadConfig(), production: false };

/** A small valid company, so that well-formed ids of every type point at real rows. */
async function seedFixture(): Promise<FuzzPools> {
  const db = app.db;
  const users: Record<string, string> = {};
  for (const team of ['MARKETING', 'SALES', 'REVENUE_OPS', 'EXECUTIVE']) users[team] = await insertUser(db, team);
  const account = await insertAccount(db, { ownerId: users.SALES, walletSize: '50000.00', createdAt: '2023-01-01T00:00:00Z' });
  const newLead = await insertLead(db, { accountId: account, createdAt: '2023-02-01T00:00:00Z' });
  const mql = await insertLead(db, { accountId: account, stage: 'MQL', createdAt: '2023-02-01T00:00:00Z', mqlAt: '2023-02-02T00:00:00Z' });
  const campaign = await insertCampaign(db, { channel: 'WEBINAR', startsOn: '2023-01-01' });
  const touch = await insertTouch(db, mql, campaign, '2023-02-01T12:00:00Z', 'WEBINAR_ATTENDED');
  const [spend] = await db.sql<{ id: string }>(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2023-01-15', 1200.00) RETURNING id`, [campaign]);
  const open = await insertOpportunity(db, { accountId: account, createdAt: '2023-03-01T00:00:00Z', ownerId: users.SALES });
  const won = await insertOpportunity(db, {
    accountId: account,
    kind: 'EXPANSION',
    stage: 'CLOSED_WON',
    amount: '8000.00',
    createdAt: '2023-03-01T00:00:00Z',
    closedAt: '2023-06-01T00:00:00Z',
  });
  await db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2), ($3, $2)`, [open, mql, won]);
  const [change] = await db.sql<{ id: string }>(
    `INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES ($1, NULL, 'NEW', '2023-02-01'), ($1, 'NEW', 'MQL', '2023-02-02') RETURNING id`,
    [mql],
  );
  const [feedback] = await db.sql<{ id: string }>(`INSERT INTO lead_feedback (lead_id, disposition, given_at) VALUES ($1, 'ACCEPTED', '2023-02-03') RETURNING id`, [mql]);
  const agreements = await db.sql<{ id: string }>(
    `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target,
                                       marketing_approved_by_id, marketing_approved_at, sales_approved_by_id, sales_approved_at)
     VALUES (1, '2023-01-01', 50, 24, 10, $1, '2023-01-01', $2, '2023-01-01'),
            (2, '2024-01-01', 60, 48, 20, NULL, NULL, NULL, NULL) RETURNING id`,
    [users.MARKETING, users.SALES],
  );
  const { apiKey } = await issueApiKey(db.ds, { name: 'fuzz', role: Role.ANALYST, createdBy: 'test' });
  const idOf: Record<string, string> = {
    User: gid('User', users.SALES as string),
    Account: gid('Account', account),
    Lead: gid('Lead', mql),
    Campaign: gid('Campaign', campaign),
    Opportunity: gid('Opportunity', open),
    AlignmentAgreement: gid('AlignmentAgreement', agreements[1]?.id ?? '1'),
    ApiKey: apiKey.id, // API keys are addressed by their plain id
  };
  Object.assign(byIdRoots, { account: idOf.Account, lead: idOf.Lead, campaign: idOf.Campaign, opportunity: idOf.Opportunity });
  const validIds = [
    ...Object.values(idOf),
    ...Object.values(users).map((id) => gid('User', id)),
    gid('Lead', newLead),
    gid('Touchpoint', touch),
    gid('CampaignSpend', spend?.id ?? '1'),
    gid('Opportunity', won),
    gid('LeadStageChange', change?.id ?? '1'),
    gid('LeadFeedback', feedback?.id ?? '1'),
    gid('AlignmentAgreement', agreements[0]?.id ?? '1'),
  ];
  return { validIds: [...new Set(validIds)], idOf };
}

async function execute(query: string, variables: Record<string, unknown>): Promise<WireResult> {
  const response = await app.apollo.executeOperation(
    { query, variables },
    { contextValue: createContext({ ds: app.db.ds, config, logger: silentLogger, requestId: 'fuzz', actor: testActor(Role.ADMIN) }) },
  );
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return { status: response.http.status ?? 200, body: JSON.parse(JSON.stringify(response.body.singleResult)) as WireResult['body'] };
}

interface FuzzOperation {
  name: string;
  isMutation: boolean;
  query: string;
  /** The field whose arguments are fuzzed. */
  field: GraphQLField<unknown, unknown>;
  /** Turns the field's argument values into the operation's variables. */
  wrap: (args: Record<string, unknown>) => Record<string, unknown>;
}

/** `mutation`/`query` of one root field with all of its arguments as variables. */
function rootOperation(kind: 'mutation' | 'query', field: GraphQLField<unknown, unknown>): FuzzOperation {
  const { declarations, uses } = argumentLists(field);
  return {
    name: `${kind} ${field.name}`,
    isMutation: kind === 'mutation',
    query: `${kind} Fuzz${declarations ? `(${declarations})` : ''} { ${field.name}${uses} ${selectionOf(getNamedType(field.type), 2)} }`,
    field,
    wrap: (args) => args,
  };
}

/** A field with arguments of an object fetched by id (Campaign.performance, Account.leads(filter: ...)). */
function nestedOperation(root: string, field: GraphQLField<unknown, unknown>): FuzzOperation {
  const { declarations, uses } = argumentLists(field, 'a_');
  const id = byIdRoots[root] as string;
  return {
    name: `query ${root}.${field.name}`,
    isMutation: false,
    query: `query Fuzz($id: ID!, ${declarations}) { ${root}(id: $id) { ${field.name}${uses} ${selectionOf(getNamedType(field.type), 1)} } }`,
    field,
    wrap: (args) => ({ id, ...Object.fromEntries(Object.entries(args).map(([k, v]) => [`a_${k}`, v])) }),
  };
}

/** Every mutation, every query, every argument-taking field of the objects fetched by id, walletShare.accounts. */
function operations(): FuzzOperation[] {
  const mutationType = schema.getMutationType() as GraphQLObjectType;
  const queryType = schema.getQueryType() as GraphQLObjectType;
  const ops = [
    ...Object.values(mutationType.getFields()).map((f) => rootOperation('mutation', f)),
    ...Object.values(queryType.getFields()).map((f) => rootOperation('query', f)),
  ];
  for (const root of Object.keys(byIdRoots)) {
    const type = getNamedType(queryType.getFields()[root]?.type) as GraphQLObjectType;
    for (const field of Object.values(type.getFields())) if (field.args.length) ops.push(nestedOperation(root, field));
  }
  const walletShare = queryType.getFields().walletShare;
  const accounts = walletShare && (getNamedType(walletShare.type) as GraphQLObjectType).getFields().accounts;
  if (accounts) {
    const { declarations, uses } = argumentLists(accounts);
    ops.push({
      name: 'query walletShare.accounts',
      isMutation: false,
      query: `query Fuzz(${declarations}) { walletShare { accounts${uses} ${selectionOf(getNamedType(accounts.type), 1)} } }`,
      field: accounts,
      wrap: (args) => args,
    });
  }
  return ops;
}

interface Outcome {
  problems: string[];
  failed: boolean;
  /** The call got past argument coercion (it succeeded, or a resolver refused it). */
  reachedResolvers: boolean;
}

/** The database as the last call left it (nothing else writes to it). */
let lastState: TableState[] | null = null;

/**
 * Runs one call and checks it: no 5xx or internal error, no stack or SQL, and a mutation that
 * fails leaves every table exactly as it was. Queries are checked per operation (queriesLeftNoTrace).
 */
async function checkedCall(op: FuzzOperation, variables: Record<string, unknown>): Promise<Outcome> {
  lastState ??= await snapshotDatabase(app.db);
  const result = await execute(op.query, variables);
  const problems = leakProblems(result, variables);
  const failed = (result.body.errors?.length ?? 0) > 0;
  if (op.isMutation) {
    const after = await snapshotDatabase(app.db);
    const changed = changedTables(lastState, after);
    if (failed && changed.length) problems.push(`tables changed by a failed call: ${changed.join(', ')}`);
    lastState = after;
  }
  if (problems.length) problems.push(`errors: ${truncate(result.body.errors)}`);
  return { problems, failed, reachedResolvers: !failed || (result.body.errors ?? []).some((e) => e.path !== undefined) };
}

/** After all calls of a query operation: no table changed. */
async function queriesLeftNoTrace(op: FuzzOperation): Promise<string[]> {
  if (op.isMutation || !lastState) return [];
  const after = await snapshotDatabase(app.db);
  const changed = changedTables(lastState, after);
  lastState = after;
  return changed.length ? [`${op.name}: its calls changed ${changed.join(', ')}`] : [];
}

const truncate = (value: unknown) => {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v));
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
};

beforeAll(async () => {
  // thousands of unique hostile operations: compiling each on its first run costs more than it pays;
  // the setting is put back so that the next files of this worker run compiled from the first run
  const afterRuns = process.env.GRAPHQL_JIT_AFTER_RUNS;
  process.env.GRAPHQL_JIT_AFTER_RUNS = '2';
  try {
    app = await createTestApp();
  } finally {
    if (afterRuns === undefined) delete process.env.GRAPHQL_JIT_AFTER_RUNS;
    else process.env.GRAPHQL_JIT_AFTER_RUNS = afterRuns;
  }
  schema = await buildAppSchema();
  pools = await seedFixture();
}, 60_000);

afterAll(() => app?.close());

describe('fuzzing every operation with hostile input', () => {
  it('covers every mutation and every metric query', () => {
    const names = operations().map((o) => o.name);
    for (const mutation of Object.keys((schema.getMutationType() as GraphQLObjectType).getFields())) expect(names).toContain(`mutation ${mutation}`);
    const metrics = ['campaignPerformance', 'channelPerformance', 'attributionComparison', 'revenueTimeSeries', 'funnel', 'slaCompliance', 'leadFeedbackSummary', 'walletShare', 'acquisitionCost'];
    for (const metric of metrics) expect(names).toContain(`query ${metric}`);
    expect(names).toEqual(expect.arrayContaining(['query campaign.performance', 'query account.walletShare', 'query walletShare.accounts']));
  });

  it('puts every hostile value in every argument field: no 500, no leak, no change on failure', async () => {
    const failures: string[] = [];
    let calls = 0;
    let reached = 0;
    for (const op of operations()) {
      for (const leaf of leavesOf(op.field)) {
        for (const value of hostileValuesFor(leaf, pools)) {
          const variables = op.wrap(variablesWith(op.field, leaf, value, pools));
          const outcome = await checkedCall(op, variables);
          calls += 1;
          if (outcome.reachedResolvers) reached += 1;
          if (outcome.problems.length) failures.push(`${op.name} ${leaf.path.join('.')} = ${truncate(value)}\n  ${outcome.problems.join('\n  ')}`);
        }
      }
      failures.push(...(await queriesLeftNoTrace(op)));
    }
    expect(failures.slice(0, 20)).toEqual([]);
    // most calls must get past coercion: the sweep tests the resolvers, not only graphql-js
    expect(reached).toBeGreaterThan(calls / 3);
  }, 300_000);

  it('never answers 500, never leaks, and leaves the database unchanged on failure (random combinations)', async () => {
    const failures: string[] = [];
    let calls = 0;
    let failed = 0;
    let reached = 0;
    for (const op of operations()) {
      const started = Date.now();
      const reachedBefore = reached;
      const outcome = await fc.check(
        fc.asyncProperty(argsArb(op.field, pools).map(op.wrap), async (variables) => {
          const call = await checkedCall(op, variables);
          calls += 1;
          if (call.failed) failed += 1;
          if (call.reachedResolvers) reached += 1;
          if (call.problems.length) throw new Error(call.problems.join('; '));
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      if (process.env.FUZZ_DEBUG) {
        process.stderr.write(`${op.name}: ${outcome.failed ? 'FAILED' : 'ok'} ${Date.now() - started} ms, ${reached - reachedBefore} of ${outcome.numRuns} reached the resolvers\n`);
      }
      failures.push(...(await queriesLeftNoTrace(op)));
      if (outcome.failed) {
        const error = outcome.errorInstance instanceof Error ? outcome.errorInstance.message : String(outcome.errorInstance);
        failures.push(`${op.name}\n  input: ${truncate(outcome.counterexample)}\n  ${error}`);
      }
    }
    expect(failures).toEqual([]);
    // the fuzzer reaches the resolvers, and it is hostile enough to be refused often
    expect(reached).toBeGreaterThan(calls / 2);
    expect(failed).toBeGreaterThan(calls / 4);
  }, 300_000);
});
