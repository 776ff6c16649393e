import { SlaResolver } from '../../src/metrics/sla.resolver';
import { slaComplianceReport } from '../../src/metrics/sla.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertAgreement, insertCampaign, insertFeedback, insertLead, insertTouch, insertUser, metricsContext } from './fixtures';

let db: TestDatabase;
const d = (iso: string) => new Date(iso);
const asOf = d('2024-03-01T12:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  const approver = await insertUser(db, 'REVENUE_OPS');
  // v1: from Jan 5, 24h, 4 MQLs a month
  await insertAgreement(db, { version: 1, effectiveFrom: '2024-01-05T00:00:00Z', followUpHours: '24', monthlyMqlTarget: 4, approvedAt: '2024-01-04T00:00:00Z', approverId: approver });
  // v2: from Feb 1, 48h, 2 a month
  await insertAgreement(db, { version: 2, effectiveFrom: '2024-02-01T00:00:00Z', followUpHours: '48', monthlyMqlTarget: 2, approvedAt: '2024-01-20T00:00:00Z', approverId: approver });
  // v3: never approved by sales -> ignored (its 1h would breach L2)
  await insertAgreement(db, { version: 3, effectiveFrom: '2024-01-15T00:00:00Z', followUpHours: '1', monthlyMqlTarget: 100, approvedAt: null, approverId: approver });
  // v4: effective Feb 15 but approved only on Mar 20, after asOf -> ignored as of Mar 1 12:00 (its 2h would breach L5)
  await insertAgreement(db, { version: 4, effectiveFrom: '2024-02-15T00:00:00Z', followUpHours: '2', monthlyMqlTarget: 50, approvedAt: '2024-03-20T00:00:00Z', approverId: approver });
  // v5: from Apr 1, target 0
  await insertAgreement(db, { version: 5, effectiveFrom: '2024-04-01T00:00:00Z', followUpHours: '24', monthlyMqlTarget: 0, approvedAt: '2024-03-01T00:00:00Z', approverId: approver });

  const salesCampaign = await insertCampaign(db, 'OUTBOUND', 'SALES');
  const marketingCampaign = await insertCampaign(db, 'EMAIL', 'MARKETING');

  // L8: MQL Jan 3, before any agreement -> noAgreement; responded after 2h (SAL)
  await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-03T00:00:00Z', salAt: '2024-01-03T02:00:00Z' });
  // L1: v1 (24h); SAL after 12h -> within
  await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-10T00:00:00Z', salAt: '2024-01-10T12:00:00Z' });
  // L2: v1 (v3 unapproved); a SALES touch before mqlAt and a MARKETING touch after it don't count;
  //     first feedback after 10h -> within 24h
  const l2 = await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-16T00:00:00Z' });
  await insertTouch(db, l2, salesCampaign, '2024-01-15T00:00:00Z');
  await insertTouch(db, l2, marketingCampaign, '2024-01-16T01:00:00Z');
  await insertFeedback(db, l2, '2024-01-16T10:00:00Z', null);
  // L3: v2 (48h); SALES touch after 60h (before the SAL at 72h) -> breached
  const l3 = await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-02-05T00:00:00Z', salAt: '2024-02-08T00:00:00Z' });
  await insertTouch(db, l3, salesCampaign, '2024-02-07T12:00:00Z');
  // L4: v2; no response, asOf - mqlAt = 10.5 days > 48h -> breached
  await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-02-20T00:00:00Z' });
  // L5: v2; feedback on Mar 2, after asOf -> not known yet; asOf - mqlAt = 24h <= 48h -> pending
  const l5 = await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-02-29T12:00:00Z' });
  await insertFeedback(db, l5, '2024-03-02T00:00:00Z', 'BAD_TIMING');
  // L6: v2; SAL exactly 48h later, exactly at asOf -> within (<= h, known at asOf)
  await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-02-28T12:00:00Z', salAt: '2024-03-01T12:00:00Z' });
  // outside [Jan 1, Mar 1): L7 at `to` exactly, L9 just before `from`
  await insertLead(db, { createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-03-01T00:00:00Z' });
  await insertLead(db, { createdAt: '2023-12-01T00:00:00Z', mqlAt: '2023-12-31T23:00:00Z' });
});

afterAll(() => db.drop());

describe('slaCompliance', () => {
  it('judges each MQL of the window against the agreement in force at its mqlAt', async () => {
    const report = await slaComplianceReport(metricsContext(db), { window: { from: d('2024-01-01T00:00:00Z'), to: d('2024-03-01T00:00:00Z') }, asOf });
    // L8 noAgreement; within L1, L2, L6; breached L3, L4; pending L5
    expect(report).toMatchObject({ mqls: 7, within: 3, breached: 2, pending: 1, noAgreement: 1, responded: 5, asOf });
    expect(report.complianceRate).toBeCloseTo(3 / 5, 12);
    // responded: L8 2h, L2 10h, L1 12h, L6 48h, L3 60h -> median 12h
    expect(report.medianResponseHours).toBeCloseTo(12, 9);
  });

  it('sorts the responded MQLs into response-time bands, a response exactly at a band edge in the later band', async () => {
    const report = await slaComplianceReport(metricsContext(db), { window: { from: d('2024-01-01T00:00:00Z'), to: d('2024-03-01T00:00:00Z') }, asOf });
    // responded: L8 2h -> [1, 4); L2 10h and L1 12h -> [8, 24); L6 exactly 48h and L3 60h -> [48, 168);
    // L4 (no response) and L5 (its feedback after asOf) are in no band
    expect(report.responseTimes).toEqual([
      { fromHours: 0, toHours: 1, leads: 0 },
      { fromHours: 1, toHours: 4, leads: 1 },
      { fromHours: 4, toHours: 8, leads: 0 },
      { fromHours: 8, toHours: 24, leads: 2 },
      { fromHours: 24, toHours: 48, leads: 0 },
      { fromHours: 48, toHours: 168, leads: 2 },
      { fromHours: 168, toHours: null, leads: 0 },
    ]);
    expect(report.responseTimes.reduce((n, b) => n + b.leads, 0)).toBe(report.responded);
  });

  it('reports MQLs delivered per calendar month against the target in force at the month start', async () => {
    const report = await slaComplianceReport(metricsContext(db), { window: { from: d('2024-01-01T00:00:00Z'), to: d('2024-03-01T00:00:00Z') }, asOf });
    expect(report.months).toEqual([
      // Jan 1: v1 starts only on Jan 5 -> no target; delivered L8, L1, L2
      {
        monthStart: d('2024-01-01T00:00:00Z'), periodFrom: d('2024-01-01T00:00:00Z'), periodTo: d('2024-02-01T00:00:00Z'),
        fullMonth: true, agreementVersion: null, monthlyMqlTarget: null, mqlsDelivered: 3, attainment: null,
      },
      // Feb 1: v2 (effective exactly then), target 2; delivered L3, L4, L5, L6 -> 4 / 2 = 2
      {
        monthStart: d('2024-02-01T00:00:00Z'), periodFrom: d('2024-02-01T00:00:00Z'), periodTo: d('2024-03-01T00:00:00Z'),
        fullMonth: true, agreementVersion: 2, monthlyMqlTarget: 2, mqlsDelivered: 4, attainment: 2,
      },
    ]);
  });

  it('clips partial months to the window and ignores approvals after asOf', async () => {
    const window = { from: d('2024-02-10T00:00:00Z'), to: d('2024-03-05T00:00:00Z') };
    const early = await slaComplianceReport(metricsContext(db), { window, asOf });
    // Feb 10..Mar 1: L6 within, L4 breached, L5 pending; Mar 1..5: L7 no response, 12h into v2's 48h -> pending
    expect(early).toMatchObject({ mqls: 4, within: 1, breached: 1, pending: 2, noAgreement: 0 });
    expect(early.months.map((m) => [m.fullMonth, m.agreementVersion, m.monthlyMqlTarget, m.mqlsDelivered, m.attainment])).toEqual([
      [false, 2, 2, 3, 1.5], // L4, L5, L6 vs the full monthly target of v2: 3 / 2
      [false, 2, 2, 1, 0.5], // L7; v4 is not approved as of Mar 1 12:00
    ]);
    expect(early.months[0]?.periodFrom).toEqual(window.from);
    expect(early.months[1]?.periodTo).toEqual(window.to);

    const late = await slaComplianceReport(metricsContext(db), { window, asOf: d('2024-03-25T00:00:00Z') });
    // now v4 (2h, effective Feb 15) is approved: L4, L5 (feedback after 36h, now known), L6 (48h), L7 (no response) all breach
    expect(late).toMatchObject({ mqls: 4, within: 0, breached: 4, pending: 0, complianceRate: 0 });
    expect(late.months.map((m) => [m.agreementVersion, m.monthlyMqlTarget, m.mqlsDelivered])).toEqual([
      [2, 2, 3], // Feb 1: v4 starts only on Feb 15
      [4, 50, 1],
    ]);
    expect(late.months[1]?.attainment).toBeCloseTo(1 / 50, 12);
  });

  it('takes the higher version when two agreements in force share an effectiveFrom', async () => {
    const approver = await insertUser(db, 'REVENUE_OPS');
    // v6: effective Feb 1 like v2, 72h, 5 a month, approved Jan 20 -> replaces v2 from Feb 1 on
    const v6 = await insertAgreement(db, { version: 6, effectiveFrom: '2024-02-01T00:00:00Z', followUpHours: '72', monthlyMqlTarget: 5, approvedAt: '2024-01-20T00:00:00Z', approverId: approver });
    try {
      const report = await slaComplianceReport(metricsContext(db), { window: { from: d('2024-01-01T00:00:00Z'), to: d('2024-03-01T00:00:00Z') }, asOf });
      // L3's 60h response is within 72h (it breached v2's 48h); L4: 10.5 days > 72h, still breached
      // within L1, L2, L3, L6; breached L4; pending L5; noAgreement L8
      expect(report).toMatchObject({ mqls: 7, within: 4, breached: 1, pending: 1, noAgreement: 1 });
      // Feb: v6's target 5, delivered L3, L4, L5, L6 -> 4 / 5
      expect(report.months[1]).toMatchObject({ agreementVersion: 6, monthlyMqlTarget: 5, mqlsDelivered: 4, attainment: 0.8 });
    } finally {
      await db.sql('DELETE FROM alignment_agreements WHERE id = $1', [v6]);
    }
  });

  it('returns null ratios when nothing can be judged and a target of 0', async () => {
    const report = await slaComplianceReport(metricsContext(db), {
      window: { from: d('2024-04-01T00:00:00Z'), to: d('2024-05-01T00:00:00Z') }, asOf: d('2024-06-01T00:00:00Z'),
    });
    expect(report).toMatchObject({ mqls: 0, within: 0, breached: 0, complianceRate: null, medianResponseHours: null });
    expect(report.months).toEqual([
      {
        monthStart: d('2024-04-01T00:00:00Z'), periodFrom: d('2024-04-01T00:00:00Z'), periodTo: d('2024-05-01T00:00:00Z'),
        fullMonth: true, agreementVersion: 5, monthlyMqlTarget: 0, mqlsDelivered: 0, attainment: null,
      },
    ]);
  });

  it('rejects an empty window, naming the field', async () => {
    const from = d('2024-01-01T00:00:00Z');
    await expect(new SlaResolver().slaCompliance({ window: { from, to: from } }, metricsContext(db))).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.window.to' },
    });
  });

  it('cuts months in UTC whatever the session time zone', async () => {
    const input = { window: { from: d('2024-01-01T00:00:00Z'), to: d('2024-03-01T00:00:00Z') }, asOf };
    const utc = await slaComplianceReport(metricsContext(db), input);
    const [{ name } = { name: '' }] = await db.sql<{ name: string }>('SELECT current_database() AS name');
    await db.sql(`ALTER DATABASE "${name}" SET timezone TO 'Pacific/Auckland'`);
    await db.ds.destroy();
    await db.ds.initialize(); // new connections pick up the database's time zone
    const [{ zone } = { zone: '' }] = await db.sql<{ zone: string }>('SELECT current_setting(\'TimeZone\') AS zone');
    expect(zone).toBe('Pacific/Auckland');
    expect(await slaComplianceReport(metricsContext(db), input)).toEqual(utc);
  });
});
