import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { countRows, firstError, gid, insertAccount, insertLead } from '../helpers/core-fixtures';

/** Custom attributes: setLeadAttributes / setAccountAttributes, and how they read (exact, typed, masked for ANALYST). */

const SET_LEAD = `mutation($input: SetLeadAttributesInput!) { setLeadAttributes(input: $input) { lead { id version attributes { key type value } } } }`;
const SET_ACCOUNT = `mutation($input: SetAccountAttributesInput!) { setAccountAttributes(input: $input) { account { id attributes { key type value } } } }`;

describe('custom attributes', () => {
  let app: TestApp;
  let lead: string;
  let account: string;
  beforeAll(async () => {
    app = await createTestApp();
    account = await insertAccount(app.db);
    lead = await insertLead(app.db, { accountId: account });
  });
  afterAll(() => app.close());

  it('sets typed values exactly (numbers as their decimal text), replaces and removes keys, audited', async () => {
    const first = await app.ok<{ setLeadAttributes: { lead: { version: number; attributes: unknown[] } } }>(SET_LEAD, {
      input: {
        leadId: gid('Lead', lead),
        set: [
          { key: 'employees', type: 'NUMBER', value: '0.10000000000000000001' },
          { key: 'Region', type: 'TEXT', value: 'EMEA' },
          { key: 'partner', type: 'BOOLEAN', value: 'false' },
          { key: 'region', type: 'TEXT', value: 'emea (lower-case key: another attribute)' },
        ],
      },
    });
    // keys in byte order: upper case before lower case
    expect(first.setLeadAttributes.lead.attributes).toEqual([
      { key: 'Region', type: 'TEXT', value: 'EMEA' },
      { key: 'employees', type: 'NUMBER', value: '0.10000000000000000001' },
      { key: 'partner', type: 'BOOLEAN', value: 'false' },
      { key: 'region', type: 'TEXT', value: 'emea (lower-case key: another attribute)' },
    ]);
    const second = await app.ok<{ setLeadAttributes: { lead: { version: number; attributes: unknown[] } } }>(SET_LEAD, {
      input: { leadId: gid('Lead', lead), version: first.setLeadAttributes.lead.version, set: [{ key: 'employees', type: 'TEXT', value: 'many' }], remove: ['region', 'absent'] },
    });
    expect(second.setLeadAttributes.lead.version).toBe(first.setLeadAttributes.lead.version + 1);
    expect(second.setLeadAttributes.lead.attributes).toEqual([
      { key: 'Region', type: 'TEXT', value: 'EMEA' },
      { key: 'employees', type: 'TEXT', value: 'many' },
      { key: 'partner', type: 'BOOLEAN', value: 'false' },
    ]);
    expect(await countRows(app.db, 'audit_log', `mutation = 'setLeadAttributes' AND object_type = 'leads'`)).toBe(2);
    // the same values again write nothing
    const same = await app.ok<{ setLeadAttributes: { lead: { version: number } } }>(SET_LEAD, {
      input: { leadId: gid('Lead', lead), set: [{ key: 'partner', type: 'BOOLEAN', value: 'false' }] },
    });
    expect(same.setLeadAttributes.lead.version).toBe(second.setLeadAttributes.lead.version);
    // a stale version is a conflict
    expect(firstError(await app.gql(SET_LEAD, { input: { leadId: gid('Lead', lead), version: 1, remove: ['partner'] } }))).toMatchObject({ code: 'CONFLICT', field: 'input.version' });
  });

  it('names the field at fault; nothing is stored', async () => {
    const bad = async (input: Record<string, unknown>) => firstError(await app.gql(SET_ACCOUNT, { input: { accountId: gid('Account', account), ...input } }));
    expect(await bad({ set: [{ key: 'a', type: 'TEXT', value: 'x' }, { key: 'b', type: 'NUMBER', value: '1e3' }] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.set[1].value' });
    expect(await bad({ set: [{ key: 'b', type: 'BOOLEAN', value: 'yes' }] })).toMatchObject({ field: 'input.set[0].value' });
    expect(await bad({ set: [{ key: '', type: 'TEXT', value: 'x' }] })).toMatchObject({ field: 'input.set[0].key' });
    expect(await bad({ set: [{ key: 'k'.repeat(101), type: 'TEXT', value: 'x' }] })).toMatchObject({ field: 'input.set[0].key' });
    expect(await bad({ set: [{ key: 'a', type: 'TEXT', value: 'x' }, { key: 'a', type: 'TEXT', value: 'y' }] })).toMatchObject({ field: 'input.set[1].key' });
    expect(await bad({ set: [{ key: 'a', type: 'TEXT', value: 'x' }], remove: ['a'] })).toMatchObject({ field: 'input.remove[0]' });
    expect(await bad({ set: [{ key: 't', type: 'TEXT', value: 'x'.repeat(1001) }] })).toMatchObject({ field: 'input.set[0].value' });
    expect(firstError(await app.gql(SET_ACCOUNT, { input: { accountId: gid('Lead', lead), set: [] } }))).toMatchObject({ field: 'input.accountId' });
    expect((await app.db.sql<{ a: unknown }>(`SELECT attributes AS a FROM accounts WHERE id = $1`, [account]))[0]!.a).toEqual({});
  });

  it('at most 200 attributes per object', async () => {
    const set = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, type: 'NUMBER', value: String(i) }));
    await app.ok(SET_ACCOUNT, { input: { accountId: gid('Account', account), set } });
    expect(firstError(await app.gql(SET_ACCOUNT, { input: { accountId: gid('Account', account), set: [{ key: 'one-more', type: 'TEXT', value: 'x' }] } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.set',
    });
    // replacing one keeps 200
    await app.ok(SET_ACCOUNT, { input: { accountId: gid('Account', account), set: [{ key: 'k0', type: 'TEXT', value: 'zero' }] } });
    await app.ok(SET_ACCOUNT, { input: { accountId: gid('Account', account), remove: set.map((s) => s.key) } });
  });

  it('eraseLead removes the lead’s attributes, and from the audit log’s copies of its rows', async () => {
    const person = await insertLead(app.db);
    await app.ok(SET_LEAD, { input: { leadId: gid('Lead', person), set: [{ key: 'nickname', type: 'TEXT', value: 'JJ' }] } });
    const erased = await app.ok<{ eraseLead: { lead: { attributes: unknown[] } } }>(
      `mutation($input: EraseLeadInput!) { eraseLead(input: $input) { lead { attributes { key value } } } }`,
      { input: { id: gid('Lead', person), reason: 'request 7' } },
    );
    expect(erased.eraseLead.lead.attributes).toEqual([]);
    const copies = await app.db.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE object_type = 'leads' AND object_id = $1 AND (coalesce(before::text, '') || coalesce(after::text, '')) LIKE '%JJ%'`,
      [person],
    );
    expect(copies[0]!.n).toBe(0);
  });

  it('ANALYST callers read an account’s attributes and a lead’s keys and types, not its values; only writers may set them', async () => {
    await app.ok(SET_ACCOUNT, { input: { accountId: gid('Account', account), set: [{ key: 'tier', type: 'TEXT', value: 'Gold' }] } });
    const data = await app.ok<{ node: { attributes: unknown[]; account: { attributes: unknown[] } } }>(
      `query($id: ID!) { node(id: $id) { ... on Lead { attributes { key type value } account { attributes { key type value } } } } }`,
      { id: gid('Lead', lead) },
      Role.ANALYST,
    );
    expect(data.node.account.attributes).toEqual([{ key: 'tier', type: 'TEXT', value: 'Gold' }]);
    expect(data.node.attributes).toEqual([
      { key: 'Region', type: 'TEXT', value: '[redacted]' },
      { key: 'employees', type: 'TEXT', value: '[redacted]' },
      { key: 'partner', type: 'BOOLEAN', value: '[redacted]' },
    ]);
    expect(firstError(await app.gql(SET_ACCOUNT, { input: { accountId: gid('Account', account), remove: ['tier'] } }, Role.MARKETING))).toMatchObject({ code: 'FORBIDDEN' });
    await app.ok(SET_LEAD, { input: { leadId: gid('Lead', lead), remove: ['Region'] } }, Role.MARKETING);
  });
});
