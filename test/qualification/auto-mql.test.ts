import { insertAccount, insertCampaign, insertLead, insertTouch } from '../helpers/core-fixtures';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { approveBoth, iso, leadState, proposeAgreement, stageHistory } from './auto-mql-fixtures';

/**
 * Automatic MQL in the database (migration 1732780000000), whoever writes: plain SQL here.
 *
 * Policy of agreement version 1, in force from 2025-01-01: every touch 5 points (no decay),
 * a title containing "vp" 5, an ENTERPRISE account 5; threshold 10. So two touches qualify a
 * lead, or one touch and a fit rule.
 */
describe('automatic MQL', () => {
  let db: TestDatabase;
  let campaign: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    campaign = await insertCampaign(db);
    const agreement = await proposeAgreement(db, {
      version: 1,
      effectiveFrom: '2025-01-01T00:00:00Z',
      threshold: 10,
      fit: [
        { attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [{ type: 'TEXT', value: 'vp' }], points: 5 },
        { attribute: 'account.segment', operator: 'EQUALS', values: [{ type: 'TEXT', value: 'ENTERPRISE' }], points: 5 },
      ],
      engagement: [{ points: 5 }],
    });
    await approveBoth(db, agreement.id, '2025-01-01T00:00:00Z');
  });
  afterAll(() => db.drop());

  const newLead = (createdAt = '2025-02-01T00:00:00Z', accountId: string | null = null) => insertLead(db, { createdAt, accountId });

  it('makes a lead an MQL at the touch that qualifies it, with the explanation and the policy version', async () => {
    const lead = await newLead();
    await insertTouch(db, lead, campaign, '2025-02-02T00:00:00Z');
    expect((await leadState(db, lead)).stage).toBe('NEW'); // 5 < 10
    const second = await insertTouch(db, lead, campaign, '2025-02-03T00:00:00Z');
    const state = await leadState(db, lead);
    expect({ stage: state.stage, mqlAt: iso(state.mql_at), version: state.version }).toEqual({ stage: 'MQL', mqlAt: '2025-02-03T00:00:00.000Z', version: 2 });
    const history = await stageHistory(db, lead);
    expect(history).toHaveLength(1); // fixtures insert no creation entry
    const [mql] = history;
    expect({ from: mql?.from_stage, to: mql?.to_stage, at: iso(mql?.changed_at), version: mql?.qualified_by_version, u: iso(mql?.qualifying_at) }).toEqual({
      from: 'NEW',
      to: 'MQL',
      at: '2025-02-03T00:00:00.000Z',
      version: 1,
      u: '2025-02-03T00:00:00.000Z',
    });
    // 5 + 5 = 10: two ENGAGEMENT lines, the second from the touch that qualified it
    expect(mql?.qualification?.score).toBe('10');
    expect(mql?.qualification?.lines.map((l) => [l.kind, l.points])).toEqual([
      ['ENGAGEMENT', '5'],
      ['ENGAGEMENT', '5'],
    ]);
    expect(mql?.qualification?.lines[1]?.touchpointId).toBe(second);
  });

  it('qualifies at a later evaluation time when a back-dated touch raises it', async () => {
    const lead = await newLead();
    await insertTouch(db, lead, campaign, '2025-03-01T00:00:00Z');
    // a touch on Feb 10 arrives late: 5 at Feb 10, 10 at Mar 1
    await insertTouch(db, lead, campaign, '2025-02-10T00:00:00Z');
    expect(iso((await leadState(db, lead)).mql_at)).toBe('2025-03-01T00:00:00.000Z');
  });

  it('counts every touch of one time: in one statement and in two statements of one transaction', async () => {
    const one = await newLead();
    await db.sql(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', $3), ($1, $2, 'OTHER', $3)`, [
      one,
      campaign,
      '2025-02-05T00:00:00Z',
    ]);
    const two = await newLead();
    await db.ds.transaction(async (tx) => {
      await tx.query(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', '2025-02-06T00:00:00Z')`, [two, campaign]);
      await tx.query(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', '2025-02-06T00:00:00Z')`, [two, campaign]);
    });
    for (const [lead, at] of [[one, '2025-02-05T00:00:00.000Z'], [two, '2025-02-06T00:00:00.000Z']] as const) {
      const [mql] = await stageHistory(db, lead);
      expect({ at: iso(mql?.changed_at), lines: mql?.qualification?.lines.length, score: mql?.qualification?.score }).toEqual({ at, lines: 2, score: '10' });
    }
  });

  it('does not count a touch before the policy came into force as qualifying then', async () => {
    const lead = await newLead('2024-11-01T00:00:00Z');
    // Dec 1 and Dec 2 2024: 10 points, but no policy was in force; Jan 1 is no evaluation time
    await insertTouch(db, lead, campaign, '2024-12-01T00:00:00Z');
    await insertTouch(db, lead, campaign, '2024-12-02T00:00:00Z');
    expect((await leadState(db, lead)).stage).toBe('NEW');
    // the next touch, in force: 15 at Feb 1
    await insertTouch(db, lead, campaign, '2025-02-01T00:00:00Z');
    expect(iso((await leadState(db, lead)).mql_at)).toBe('2025-02-01T00:00:00.000Z');
  });

  it('qualifies at the moment of the write when the title or the account changes', async () => {
    const lead = await newLead();
    await insertTouch(db, lead, campaign, '2025-02-02T00:00:00Z');
    const [{ now } = { now: new Date(0) }] = await db.ds.transaction(async (tx) => {
      await tx.query(`UPDATE leads SET title = 'VP Marketing' WHERE id = $1`, [lead]);
      return (await tx.query(`SELECT now() AS now`)) as { now: Date }[];
    });
    const [mql] = await stageHistory(db, lead);
    // 5 (title) + 5 (touch) at the moment of the write, not at the touch
    expect({ at: iso(mql?.changed_at), u: iso(mql?.qualifying_at), fit: mql?.qualification?.fit }).toEqual({ at: iso(now), u: iso(now), fit: '5' });

    const account = await insertAccount(db, { segment: 'SMB' });
    const other = await newLead('2025-02-01T00:00:00Z', account);
    await insertTouch(db, other, campaign, '2025-02-02T00:00:00Z');
    expect((await leadState(db, other)).stage).toBe('NEW');
    await db.sql(`UPDATE accounts SET segment = 'ENTERPRISE' WHERE id = $1`, [account]);
    expect((await leadState(db, other)).stage).toBe('MQL');
    const [byAccount] = await stageHistory(db, other);
    expect(byAccount?.qualification?.lines.map((l) => l.kind)).toEqual(['FIT', 'ENGAGEMENT']);
  });

  it('never moves a lead backwards: leads past MQL, or disqualified, stay', async () => {
    for (const stage of ['SAL', 'CUSTOMER', 'DISQUALIFIED']) {
      const lead = await insertLead(db, {
        createdAt: '2025-02-01T00:00:00Z',
        stage,
        mqlAt: stage === 'DISQUALIFIED' ? null : '2025-02-01T00:00:00Z',
      });
      if (stage !== 'DISQUALIFIED') {
        await db.sql(
          `UPDATE leads SET sal_at = mql_at, sql_at = CASE WHEN $2 = 'CUSTOMER' THEN mql_at END, opportunity_at = CASE WHEN $2 = 'CUSTOMER' THEN mql_at END,
                  customer_at = CASE WHEN $2 = 'CUSTOMER' THEN mql_at END WHERE id = $1`,
          [lead, stage],
        );
      } else {
        await db.sql(`UPDATE leads SET disqualified_at = created_at WHERE id = $1`, [lead]);
      }
      const before = await leadState(db, lead);
      await insertTouch(db, lead, campaign, '2025-02-02T00:00:00Z');
      await insertTouch(db, lead, campaign, '2025-02-03T00:00:00Z');
      expect(await leadState(db, lead)).toEqual(before);
      expect(await stageHistory(db, lead)).toEqual([]);
    }
  });

  it('a recycled lead that still qualifies becomes an MQL again only at its next qualifying touch or write', async () => {
    const lead = await newLead();
    await insertTouch(db, lead, campaign, '2025-02-02T00:00:00Z');
    await insertTouch(db, lead, campaign, '2025-02-03T00:00:00Z');
    expect((await leadState(db, lead)).stage).toBe('MQL');
    // sales recycles it on Mar 1: it still scores 10, yet stays RECYCLED
    await db.sql(`UPDATE leads SET stage = 'RECYCLED', recycled_at = '2025-03-01T00:00:00Z' WHERE id = $1`, [lead]);
    await db.sql(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES ($1, 'MQL', 'RECYCLED', '2025-03-01T00:00:00Z')`, [lead]);
    expect((await leadState(db, lead)).stage).toBe('RECYCLED');
    // the next touch (Mar 10) qualifies it again; mqlAt keeps the first time
    await insertTouch(db, lead, campaign, '2025-03-10T00:00:00Z');
    const state = await leadState(db, lead);
    expect({ stage: state.stage, mqlAt: iso(state.mql_at) }).toEqual({ stage: 'MQL', mqlAt: '2025-02-03T00:00:00.000Z' });
    const history = await stageHistory(db, lead);
    expect(history.map((h) => [h.from_stage, h.to_stage, iso(h.changed_at)])).toEqual([
      ['NEW', 'MQL', '2025-02-03T00:00:00.000Z'],
      ['MQL', 'RECYCLED', '2025-03-01T00:00:00.000Z'],
      ['RECYCLED', 'MQL', '2025-03-10T00:00:00.000Z'],
    ]);
  });

  it('a back-dated touch before the recycle qualifies at the recycle (the later of the two)', async () => {
    const lead = await newLead();
    await insertTouch(db, lead, campaign, '2025-02-02T00:00:00Z');
    await db.sql(`UPDATE leads SET stage = 'RECYCLED', recycled_at = '2025-03-01T00:00:00Z' WHERE id = $1`, [lead]);
    await db.sql(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES ($1, 'NEW', 'RECYCLED', '2025-03-01T00:00:00Z')`, [lead]);
    await insertTouch(db, lead, campaign, '2025-02-20T00:00:00Z');
    const history = await stageHistory(db, lead);
    expect(history.map((h) => [h.from_stage, h.to_stage, iso(h.changed_at), iso(h.qualifying_at)])).toEqual([
      ['NEW', 'RECYCLED', '2025-03-01T00:00:00.000Z', null],
      ['RECYCLED', 'MQL', '2025-03-01T00:00:00.000Z', '2025-02-20T00:00:00.000Z'],
    ]);
  });

  it('applies a manual stage change of the same transaction and instant first', async () => {
    const disqualified = await newLead();
    await insertTouch(db, disqualified, campaign, '2025-02-02T00:00:00Z');
    await db.ds.transaction(async (tx) => {
      await tx.query(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', '2025-02-03T00:00:00Z')`, [disqualified, campaign]);
      await tx.query(`UPDATE leads SET stage = 'DISQUALIFIED', disqualified_at = '2025-02-03T00:00:00Z' WHERE id = $1`, [disqualified]);
      await tx.query(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES ($1, 'NEW', 'DISQUALIFIED', '2025-02-03T00:00:00Z')`, [disqualified]);
    });
    expect((await leadState(db, disqualified)).stage).toBe('DISQUALIFIED');
    expect((await stageHistory(db, disqualified)).map((h) => h.to_stage)).toEqual(['DISQUALIFIED']);
  });

  it('qualifies a new lead at its creation by fit alone', async () => {
    const account = await insertAccount(db, { segment: 'ENTERPRISE' });
    const [row] = await db.sql<{ id: string }>(
      `INSERT INTO leads (email, title, account_id, created_at) VALUES ('vp.new@prospect.test', 'VP Sales', $1, '2025-04-01T00:00:00Z') RETURNING id`,
      [account],
    );
    const [mql] = await stageHistory(db, row!.id);
    expect({ at: iso(mql?.changed_at), fit: mql?.qualification?.fit, score: mql?.qualification?.score }).toEqual({
      at: '2025-04-01T00:00:00.000Z',
      fit: '10',
      score: '10',
    });
  });

  it('makes one MQL when two writers qualify the same lead at once, the second waiting while the first commits', async () => {
    // B's insert holds FOR KEY SHARE on the lead (its foreign key) while it waits for A's cache
    // locks; A's commit then makes the lead an MQL, which must not wait for B (it did, with
    // FOR UPDATE: a deadlock). Both commit; the lead is an MQL once, at A's touch.
    const lead = await newLead();
    await insertTouch(db, lead, campaign, '2025-02-02T00:00:00Z');
    const [a, b] = [db.ds.createQueryRunner(), db.ds.createQueryRunner()];
    try {
      await Promise.all([a.connect(), b.connect()]);
      const pid = async (runner: typeof a) => ((await runner.query(`SELECT pg_backend_pid() AS pid`)) as { pid: number }[])[0]?.pid;
      const [pidA, pidB] = [await pid(a), await pid(b)];
      const insert = `INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', $3)`;
      await a.startTransaction();
      await a.query(insert, [lead, campaign, '2025-02-03T00:00:00Z']);
      await b.startTransaction();
      const second = b.query(insert, [lead, campaign, '2025-02-04T00:00:00Z']).then(() => b.commitTransaction());
      // until B waits for a lock A holds
      for (let waited = 0; ; waited += 1) {
        const [row] = await db.sql<{ blocked: boolean }>(`SELECT $1::int = ANY (pg_blocking_pids($2)) AS blocked`, [pidA, pidB]);
        if (row?.blocked) break;
        if (waited > 500) throw new Error('the second writer never waited for the first');
        await new Promise((r) => setTimeout(r, 10));
      }
      await a.commitTransaction();
      await second;
    } finally {
      await Promise.all([a.release(), b.release()]);
    }
    const history = await stageHistory(db, lead);
    expect(history.map((h) => [h.to_stage, iso(h.changed_at)])).toEqual([['MQL', '2025-02-03T00:00:00.000Z']]);
  });

  it('does not count an erasure, which clears the title, as a change of attributes', async () => {
    // (with a negative rule on a title, clearing it could raise the score: an erasure is no news about the lead)
    const lead = await newLead();
    await db.sql(`UPDATE leads SET title = 'Analyst' WHERE id = $1`, [lead]);
    const queued = (write: string) =>
      db.ds.transaction(async (tx) => {
        await tx.query(write, [lead]);
        const [row] = (await tx.query(`SELECT count(*)::int AS n FROM auto_mql_pending WHERE lead_id = $1`, [lead])) as { n: number }[];
        return row?.n;
      });
    expect(await queued(`UPDATE leads SET title = 'Senior Analyst' WHERE id = $1`)).toBe(1);
    expect(await queued(`UPDATE leads SET title = NULL, erased_at = now(), email = 'erased-' || id || '@erased.invalid' WHERE id = $1`)).toBe(0);
  });

  it('re-reads the touches of a campaign whose channel changes (a later policy, counting PARTNER touches)', async () => {
    // version 2, in force from June 1 2025: 10 points a touch on a PARTNER campaign; threshold 10
    const v2 = await proposeAgreement(db, { version: 2, effectiveFrom: '2025-06-01T00:00:00Z', threshold: 10, engagement: [{ channels: ['PARTNER'], points: 10 }] });
    await approveBoth(db, v2.id, '2025-06-01T00:00:00Z');
    const webinar = await insertCampaign(db, { channel: 'WEBINAR' });
    const lead = await newLead('2025-07-01T00:00:00Z');
    await insertTouch(db, lead, webinar, '2025-07-02T00:00:00Z');
    expect((await leadState(db, lead)).stage).toBe('NEW'); // 0 under version 2
    await db.sql(`UPDATE campaigns SET channel = 'PARTNER' WHERE id = $1`, [webinar]);
    const [mql] = await stageHistory(db, lead);
    expect({ at: iso(mql?.changed_at), version: mql?.qualified_by_version }).toEqual({ at: '2025-07-02T00:00:00.000Z', version: 2 });
  });

  it('keeps the lines qualification_lines gives at the qualifying time (every automatic MQL above)', async () => {
    const rows = await db.sql<{ lead_id: string; stored: unknown; fresh: unknown }>(
      `SELECT c.lead_id, c.qualification -> 'lines' AS stored,
              (SELECT jsonb_agg(jsonb_build_object('kind', x.line, 'rulePosition', x.rule_position, 'touchpointId', x.touch_id::text,
                                                   'touchAt', to_char(x.touch_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                                   'ageDays', x.age_days::text, 'points', x.points::text) ORDER BY x.line_no)
                 FROM qualification_lines(a.policy_id, ARRAY[c.lead_id], c.qualifying_at) x) AS fresh
         FROM lead_stage_changes c JOIN alignment_agreements a ON a.id = c.qualified_by_agreement_id
        WHERE c.qualified_by_version IS NOT NULL`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect({ lead: row.lead_id, lines: row.stored }).toEqual({ lead: row.lead_id, lines: row.fresh });
  });
});
