import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertCampaign } from '../helpers/core-fixtures';
import { counts, importText } from '../imports/engine-helpers';
import { approveBoth, leadState, proposeAgreement } from './auto-mql-fixtures';

/**
 * A CRM that never qualified a lead keeps sending it as NEW after our policy made it an MQL: a
 * re-sync (import or upsertLead) keeps the lead's MQL instead of failing the row, and a mutation
 * returns the lead as the automatic MQL left it. A lead moved on by hand still refuses NEW.
 *
 * Policy (in force since 2025-01-01): every touch 5 points, no decay; threshold 10.
 */
describe('re-syncs after an automatic MQL', () => {
  let app: TestApp;
  const leadsFile = (stage: string) =>
    `externalId,email,stage,createdAt\nL-1,one@acme.test,${stage},2025-02-01T00:00:00Z\nL-2,two@acme.test,NEW,2025-02-01T00:00:00Z\n`;

  beforeAll(async () => {
    app = await createTestApp();
    const campaign = await insertCampaign(app.db, { channel: 'EMAIL' });
    await app.db.sql(`UPDATE campaigns SET external_id = 'cmp-1' WHERE id = $1`, [campaign]);
    const v1 = await proposeAgreement(app.db, { version: 1, effectiveFrom: '2025-01-01T00:00:00Z', threshold: 10, engagement: [{ points: 5 }] });
    await approveBoth(app.db, v1.id, '2025-01-01T00:00:00Z');
    expect((await importText(app.db.ds, leadsFile('NEW'), { kind: 'leads' })).counts).toEqual(counts({ processed: 2, created: 2 }));
    // two touches of L-1 (5 + 5 = 10: qualifies at the second), one of L-2 (5: does not)
    const touches = 'externalId,leadExternalId,campaignExternalId,kind,occurredAt\n' +
      'T-1,L-1,cmp-1,WEB_VISIT,2025-02-02T00:00:00Z\nT-2,L-1,cmp-1,WEB_VISIT,2025-02-03T00:00:00Z\nT-3,L-2,cmp-1,WEB_VISIT,2025-02-03T00:00:00Z\n';
    expect((await importText(app.db.ds, touches, { kind: 'touchpoints' })).counts).toEqual(counts({ processed: 3, created: 3 }));
  });
  afterAll(() => app.close());

  const leadId = async (externalId: string) => (await app.db.sql<{ id: string }>(`SELECT id::text AS id FROM leads WHERE external_id = $1`, [externalId]))[0]!.id;

  it('re-importing the leads file with NEW keeps the automatic MQL and changes nothing', async () => {
    const l1 = await leadId('L-1');
    expect((await leadState(app.db, l1)).stage).toBe('MQL');
    const again = await importText(app.db.ds, leadsFile('NEW'), { kind: 'leads' });
    expect(again.errors).toEqual([]);
    expect(again.counts).toEqual(counts({ processed: 2, unchanged: 2 }));
    const state = await leadState(app.db, l1);
    expect(state.stage).toBe('MQL');
    expect(state.mql_at?.toISOString()).toBe('2025-02-03T00:00:00.000Z');
  });

  it('upsertLead with stage NEW keeps the automatic MQL and returns the lead as stored', async () => {
    const data = await app.ok<{ upsertLead: { lead: { stage: string; mqlAt: string }; outcome: string } }>(
      `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { outcome lead { stage mqlAt } } }`,
      { input: { externalId: 'L-1', email: 'one@acme.test', stage: 'NEW', firstName: 'Una' } },
    );
    expect(data.upsertLead).toEqual({ outcome: 'UPDATED', lead: { stage: 'MQL', mqlAt: '2025-02-03T00:00:00.000Z' } });
  });

  it('a touch recorded through the API returns the lead already an MQL, and NEW is refused once a person moved the lead', async () => {
    const l2 = await leadId('L-2');
    const recorded = await app.ok<{ recordTouchpoint: { touchpoint: { lead: { stage: string } } } }>(
      `mutation($input: RecordTouchpointInput!) { recordTouchpoint(input: $input) { touchpoint { lead { stage } } } }`,
      { input: { leadId: gid('Lead', l2), campaignId: gid('Campaign', (await app.db.sql<{ id: string }>(`SELECT id::text AS id FROM campaigns`))[0]!.id), kind: 'WEB_VISIT', occurredAt: '2025-02-04T00:00:00Z' } },
    );
    expect(recorded.recordTouchpoint.touchpoint.lead.stage).toBe('MQL');
    await app.ok(`mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { lead { stage } } }`, {
      input: { leadId: gid('Lead', l2), stage: 'SAL', at: '2025-02-05T00:00:00Z' },
    });
    const refused = await importText(app.db.ds, leadsFile('NEW'), { kind: 'leads' });
    expect(refused.errors.map((e) => [e.line, e.column])).toEqual([[3, 'stage']]);
  });
});
