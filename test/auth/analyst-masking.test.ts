import { buildSchema, getNamedType, graphql, isEnumType, isInputObjectType, isLeafType, isObjectType } from 'graphql';
import { maskForAnalyst } from '../../src/auth/analyst-masking';
import { ANALYST_MASKED, ANALYST_REFUSED_ARGUMENTS, ANALYST_VISIBLE } from '../../src/auth/analyst-fields';
import { Actor, Role } from '../../src/auth/roles';
import { fromGlobalId } from '../../src/graphql/node';
import { buildAppSchema } from '../../src/graphql/schema';
import { createTestApp, TestApp } from '../helpers/app';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';

/** Every leaf field (scalar or enum) of every object type, as `Type.field`. */
async function leafFields(): Promise<string[]> {
  const schema = await buildAppSchema();
  return Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('__'))
    .flatMap((type) =>
      Object.values(type.getFields())
        .filter((field) => isLeafType(getNamedType(field.type)))
        .map((field) => `${type.name}.${field.name}`),
    );
}

describe('the ANALYST allow-list', () => {
  it('classifies every leaf field of the schema: visible or masked, never both, never neither', async () => {
    const leaves = await leafFields();
    expect(leaves.length).toBeGreaterThan(200);
    // a new field lands here until its author decides: add it to ANALYST_VISIBLE or ANALYST_MASKED
    expect(leaves.filter((f) => !ANALYST_VISIBLE.has(f) && !ANALYST_MASKED.has(f))).toEqual([]);
    expect(leaves.filter((f) => ANALYST_VISIBLE.has(f) && ANALYST_MASKED.has(f))).toEqual([]);
  });

  it('declares only fields that exist (a renamed field is not left behind as visible)', async () => {
    const leaves = new Set(await leafFields());
    expect([...ANALYST_VISIBLE, ...ANALYST_MASKED.keys()].filter((f) => !leaves.has(f))).toEqual([]);
  });

  it('refuses arguments that exist, and only for data that is masked', async () => {
    const schema = await buildAppSchema();
    for (const { input, enumValue, reveals } of ANALYST_REFUSED_ARGUMENTS) {
      const [typeName, name] = (input ?? enumValue ?? '').split('.') as [string, string];
      const type = schema.getType(typeName);
      if (input) expect([input, isInputObjectType(type) && name in type.getFields()]).toEqual([input, true]);
      else expect([enumValue, isEnumType(type) && type.getValue(name) !== undefined]).toEqual([enumValue, true]);
      for (const field of reveals) expect([field, ANALYST_MASKED.has(field)]).toEqual([field, true]);
    }
  });

  it('says in the SDL which fields ANALYST callers read masked', async () => {
    const schema = await buildAppSchema();
    const note = (type: string, field: string) => (schema.getType(type) as { getFields(): Record<string, { description?: string | null }> }).getFields()[field]?.description;
    expect(note('Lead', 'email')).toMatch(/ANALYST callers, who read a stable pseudonym\.$/);
    expect(note('LeadFeedback', 'note')).toMatch(/ANALYST callers, who read "\[redacted\]"\.$/);
    expect(note('AuditEntry', 'before')).toMatch(/ANALYST callers, who read null\.$/);
    expect(note('Lead', 'stage')).not.toMatch(/ANALYST/);
  });
});

describe('a field nobody classified yet', () => {
  // a schema of types the allow-list has never heard of: everything in it is new
  const schema = maskForAnalyst(
    buildSchema(`
      type Query { thing: Thing }
      type Thing { label: String, tags: [String!]!, score: Float, count: Int!, counts: [Int!]! }
    `),
  );
  const thing = { label: 'Jane Doe', tags: ['vip', 'jane'], score: 4.5, count: 3, counts: [1, 2] };
  const run = (role: string) =>
    graphql({ schema, source: '{ thing { label tags score count counts } }', rootValue: { thing }, contextValue: { actor: { role } } });

  it('is masked for ANALYST: texts "[redacted]", other values null or [], a required number refused', async () => {
    const result = await run(Role.ANALYST);
    expect(result.errors?.map((e) => [e.extensions?.code, e.path?.join('.'), e.message])).toEqual([
      ['FORBIDDEN', 'thing.count', 'Thing.count is not available to ANALYST callers'],
    ]);
    expect(result.data).toEqual({ thing: null }); // the refused required field nulls its object, never a made-up number
    const rest = await graphql({ schema, source: '{ thing { label tags score counts } }', rootValue: { thing }, contextValue: { actor: { role: Role.ANALYST } } });
    expect(rest).toEqual({ data: { thing: { label: '[redacted]', tags: ['[redacted]', '[redacted]'], score: null, counts: [] } } });
  });

  it('reads as stored for the roles that see personal data', async () => {
    expect(await run(Role.EXECUTIVE)).toEqual({ data: { thing } });
  });
});

const SALES_NOTE = 'Talked to Jane Doe, she wants a call on Monday';
const LOST_REASON = 'Jane Doe left for a competitor';
const AGREEMENT_NOTE = 'Signed off by Maria Rossi after the QBR';

interface Seen {
  user: { name: string; email: string; externalId: string | null; team: string };
  lead: { email: string; firstName: string | null; lastName: string | null; title: string | null; externalId: string | null; stage: string };
  feedback: { note: string | null; disposition: string; reason: string | null };
  opportunity: { name: string; lostReason: string | null; amount: string; stage: string };
  agreement: { notes: string | null; version: number };
}

/** Over HTTP, as a BI tool's key would ask. */
describe('ANALYST over HTTP: personal data masked, everything else as stored', () => {
  let api: HttpTestApp;
  let keys: Record<'ANALYST' | 'EXECUTIVE', string>;
  let ids: { user: string; lead: string; opportunity: string; account: string };

  const ok = async <T>(query: string, variables: Record<string, unknown> = {}, key = api.adminKey): Promise<T> => {
    const res = await api.gql<T>(query, variables, { key });
    expect(res.body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    return res.body.data as T;
  };

  beforeAll(async () => {
    api = await startHttpApp();
    keys = { ANALYST: (await api.newKey(Role.ANALYST)).secret, EXECUTIVE: (await api.newKey(Role.EXECUTIVE)).secret };
    const { createUser } = await ok<{ createUser: { user: { id: string } } }>(
      `mutation { createUser(input: { name: "Sam Seller", email: "sam.seller@corp.test", team: SALES, externalId: "sam.seller@corp.test" }) { user { id } } }`,
    );
    const { createAccount } = await ok<{ createAccount: { account: { id: string } } }>(
      `mutation { createAccount(input: { name: "Acme", domain: "acme-mask.test", segment: SMB }) { account { id } } }`,
    );
    const { createLead } = await ok<{ createLead: { lead: { id: string } } }>(
      `mutation($a: ID!) { createLead(input: { email: "jane.doe@acme-mask.test", firstName: "Jane", lastName: "Doe", title: "CFO",
         externalId: "crm-jane-doe", stage: MQL, accountId: $a }) { lead { id } } }`,
      { a: createAccount.account.id },
    );
    await ok(
      `mutation($l: ID!, $u: ID!, $n: String!) { giveLeadFeedback(input: { leadId: $l, disposition: REJECTED, reason: BAD_TIMING, note: $n, givenById: $u }) { feedback { id } } }`,
      { l: createLead.lead.id, u: createUser.user.id, n: SALES_NOTE },
    );
    const { createOpportunity } = await ok<{ createOpportunity: { opportunity: { id: string } } }>(
      `mutation($a: ID!, $r: String!, $c: [ID!]) { createOpportunity(input: { accountId: $a, name: "Acme - Jane's team", kind: NEW_BUSINESS,
         amount: "5000.00", stage: CLOSED_LOST, createdAt: "2024-05-01T00:00:00Z", closedAt: "2024-06-01T00:00:00Z", lostReason: $r, contactIds: $c }) { opportunity { id } } }`,
      { a: createAccount.account.id, r: LOST_REASON, c: [createLead.lead.id] },
    );
    await ok(
      `mutation($u: ID!, $n: String!) { proposeAgreement(input: { effectiveFrom: "2024-01-01T00:00:00Z", mqlThreshold: 50, followUpHours: 24,
         monthlyMqlTarget: 10, scoringRules: [], notes: $n, proposedById: $u }) { agreement { id } } }`,
      { u: createUser.user.id, n: AGREEMENT_NOTE },
    );
    ids = { user: createUser.user.id, lead: createLead.lead.id, opportunity: createOpportunity.opportunity.id, account: createAccount.account.id };
  });
  afterAll(() => api.close());

  /** The same objects, read the ways a BI tool reads them: lists, by id, nested. */
  async function read(key: string): Promise<Seen> {
    const data = await ok<{
      users: { edges: { node: Seen['user'] & { id: string } }[] };
      lead: Seen['lead'] & { feedback: { edges: { node: Seen['feedback'] }[] } };
      opportunity: Seen['opportunity'] & { owner: unknown };
      alignmentAgreements: { edges: { node: Seen['agreement'] }[] };
    }>(
      `query($lead: ID!, $opp: ID!) {
         users(first: 100) { edges { node { id name email externalId team } } }
         lead(id: $lead) { email firstName lastName title externalId stage feedback { edges { node { note disposition reason } } } }
         opportunity(id: $opp) { name lostReason amount stage owner { name } }
         alignmentAgreements { edges { node { notes version } } }
       }`,
      { lead: ids.lead, opp: ids.opportunity },
      key,
    );
    const { feedback, ...lead } = data.lead;
    const { owner: _owner, ...opportunity } = data.opportunity;
    const { id: _id, ...user } = data.users.edges.find((e) => e.node.id === ids.user)!.node;
    return { user, lead, feedback: feedback.edges[0]!.node, opportunity, agreement: data.alignmentAgreements.edges[0]!.node };
  }

  it('shows an EXECUTIVE everything as stored', async () => {
    expect(await read(keys.EXECUTIVE)).toEqual({
      user: { name: 'Sam Seller', email: 'sam.seller@corp.test', externalId: 'sam.seller@corp.test', team: 'SALES' },
      lead: { email: 'jane.doe@acme-mask.test', firstName: 'Jane', lastName: 'Doe', title: 'CFO', externalId: 'crm-jane-doe', stage: 'MQL' },
      feedback: { note: SALES_NOTE, disposition: 'REJECTED', reason: 'BAD_TIMING' },
      opportunity: { name: "Acme - Jane's team", lostReason: LOST_REASON, amount: '5000.00', stage: 'CLOSED_LOST' },
      agreement: { notes: AGREEMENT_NOTE, version: 1 },
    });
  });

  it("masks an ANALYST's feedback notes, lost reasons, deal names, agreement notes, users' and leads' names and emails", async () => {
    const seen = await read(keys.ANALYST);
    const pseudonym = /^redacted-[0-9a-f]{16}@example\.invalid$/;
    expect(seen).toEqual({
      user: { name: '[redacted]', email: expect.stringMatching(pseudonym), externalId: '[redacted]', team: 'SALES' },
      lead: { email: expect.stringMatching(pseudonym), firstName: '[redacted]', lastName: '[redacted]', title: '[redacted]', externalId: '[redacted]', stage: 'MQL' },
      feedback: { note: '[redacted]', disposition: 'REJECTED', reason: 'BAD_TIMING' },
      opportunity: { name: '[redacted]', lostReason: '[redacted]', amount: '5000.00', stage: 'CLOSED_LOST' },
      agreement: { notes: '[redacted]', version: 1 },
    });
    expect(seen.user.email).not.toBe(seen.lead.email);
    // nothing personal anywhere in the answer, nested objects included
    const raw = JSON.stringify(await api.gql(`query($o: ID!) { opportunity(id: $o) { name owner { name email } contacts { email firstName } account { name } } }`,
      { o: ids.opportunity }, { key: keys.ANALYST }));
    expect(raw).not.toMatch(/jane|doe|sam|seller/i);
    expect(raw).toContain('Acme'); // the account's name is not personal
  });

  it('lists users to an ANALYST by id, with cursors that carry no names', async () => {
    const names = ['Zoe Zimmer', 'Aaron Abel'];
    for (const name of names) await ok(`mutation($n: String!, $e: String!) { createUser(input: { name: $n, email: $e, team: MARKETING }) { user { id } } }`, { n: name, e: `${name.split(' ')[0]!.toLowerCase()}@corp.test` });
    const page = await ok<{ users: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { endCursor: string } } }>(
      `{ users(first: 100) { edges { cursor node { id } } pageInfo { endCursor } } }`, {}, keys.ANALYST);
    const decoded = page.users.edges.map((e) => Buffer.from(e.cursor, 'base64url').toString('utf8')).join(' ');
    expect(decoded).not.toMatch(/zoe|aaron|sam/i);
    const ids = page.users.edges.map((e) => Number(fromGlobalId(e.node.id)?.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // the next page continues from the cursor
    const next = await ok<{ users: { edges: unknown[] } }>(`query($after: String) { users(first: 5, after: $after) { edges { cursor } } }`,
      { after: page.users.edges[0]!.cursor }, keys.ANALYST);
    expect(next.users.edges).toHaveLength(Math.min(5, page.users.edges.length - 1));
  });

  it.each([
    ['orders deals by name', `{ opportunities(orderBy: { field: NAME }) { totalCount } }`, 'orderBy.field'],
    ['orders an account\'s deals by name', `query($a: ID!) { account(id: $a) { opportunities(orderBy: { field: NAME }) { totalCount } } }`, 'orderBy.field'],
    ['orders leads by email', `{ leads(orderBy: { field: EMAIL }) { totalCount } }`, 'orderBy.field'],
    ['searches leads by name', `query($a: ID!) { account(id: $a) { leads(filter: { search: "Jane" }) { totalCount } } }`, 'filter.search'],
  ])('refuses an ANALYST who %s (FORBIDDEN naming the argument), not an EXECUTIVE', async (_what, query, field) => {
    const analyst = await api.gql(query, { a: ids.account }, { key: keys.ANALYST });
    expect(analyst.body.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['FORBIDDEN', field]]);
    expect(analyst.body.errors?.[0]?.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: ANALYST callers cannot`));
    const executive = await api.gql(query, { a: ids.account }, { key: keys.EXECUTIVE });
    expect(executive.body.errors).toBeUndefined();
  });
});

describe('a caller whose role is not a known role', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    await app.ok(`mutation { createUser(input: { name: "Nora Nobody", email: "nora@corp.test", team: SALES }) { user { id } } }`);
  });
  afterAll(() => app.close());

  it('reads personal data masked (the check fails closed)', async () => {
    // what a JWT role claim of "constructor" used to become: not a role, so it must not read names
    const odd = { kind: 'JWT', id: 'jwt:x', role: 'constructor' as unknown as Role, userId: null } satisfies Actor;
    const result = await app.gql<{ users: { edges: { node: { name: string; email: string } }[] } }>(`{ users { edges { node { name email } } } }`, {}, odd);
    expect(result.data?.users.edges.map((e) => e.node.name)).toEqual(['[redacted]']);
    expect(result.data?.users.edges[0]?.node.email).toMatch(/^redacted-/);
  });
});
