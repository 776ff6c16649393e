import { insertUser } from '../helpers/core-fixtures';
import type { TestDatabase } from '../helpers/db';

/** Rules of a policy as SQL rows (qualification_rules). */
export interface RuleRows {
  fit?: { attribute: string; operator: string; values: { type: string; value: string }[]; points: number }[];
  engagement?: { touchKinds?: string[]; channels?: string[]; points: number }[];
}

export interface PolicySettings {
  threshold: number;
  halfLifeDays?: number | null;
  windowDays?: number | null;
  minFit?: number | null;
}

function jsonValue(v: { type: string; value: string }): unknown {
  if (v.type === 'NUMBER') return Number(v.value);
  if (v.type === 'BOOLEAN') return v.value === 'true';
  return v.value;
}

/**
 * An agreement with a structured policy, proposed (not approved): its rules written as the
 * policy store writes them. Returns its id and policy id.
 */
export async function proposeAgreement(
  db: TestDatabase,
  a: { version: number; effectiveFrom: string; createdAt?: string } & PolicySettings & RuleRows,
): Promise<{ id: string; policyId: string }> {
  const [row] = await db.sql<{ id: string; policy_id: string }>(
    `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target, created_at)
     VALUES ($1, $2, $3, 24, 10, coalesce($4::timestamptz, $2::timestamptz)) RETURNING id, policy_id`,
    [a.version, a.effectiveFrom, a.threshold, a.createdAt ?? null],
  );
  if (!row) throw new Error('no agreement');
  await db.sql(
    `UPDATE qualification_policies SET mql_threshold = $2, engagement_half_life_days = $3, engagement_window_days = $4, min_fit = $5 WHERE id = $1`,
    [row.policy_id, a.threshold, a.halfLifeDays ?? null, a.windowDays ?? null, a.minFit ?? null],
  );
  let position = 0;
  for (const rule of a.fit ?? []) {
    await db.sql(
      `INSERT INTO qualification_rules (policy_id, kind, position, attribute, operator, "values", points) VALUES ($1, 'FIT', $2, $3, $4, $5, $6)`,
      [row.policy_id, ++position, rule.attribute, rule.operator, JSON.stringify(rule.values.map(jsonValue)), rule.points],
    );
  }
  position = 0;
  for (const rule of a.engagement ?? []) {
    await db.sql(
      `INSERT INTO qualification_rules (policy_id, kind, position, touch_kinds, channels, points) VALUES ($1, 'ENGAGEMENT', $2, $3, $4, $5)`,
      [row.policy_id, ++position, rule.touchKinds ?? [], rule.channels ?? [], rule.points],
    );
  }
  return { id: row.id, policyId: row.policy_id };
}

/** Both teams approve the agreement at `at` (one statement: the policy comes into force then, if effective). */
export async function approveBoth(db: TestDatabase, agreementId: string, at: string): Promise<void> {
  const marketing = await insertUser(db, 'MARKETING');
  const sales = await insertUser(db, 'SALES');
  await db.sql(
    `UPDATE alignment_agreements SET marketing_approved_by_id = $2, marketing_approved_at = $4, sales_approved_by_id = $3, sales_approved_at = $4
      WHERE id = $1`,
    [agreementId, marketing, sales, at],
  );
}

export interface StageRow {
  from_stage: string | null;
  to_stage: string;
  changed_at: Date;
  qualified_by_version: number | null;
  qualifying_at: Date | null;
  qualification: { fit: string; engagement: string; score: string; lines: { kind: string; points: string; touchpointId: string | null }[] } | null;
}

export async function stageHistory(db: TestDatabase, leadId: string): Promise<StageRow[]> {
  return db.sql<StageRow>(
    `SELECT from_stage, to_stage, changed_at, qualified_by_version, qualifying_at, qualification
       FROM lead_stage_changes WHERE lead_id = $1 ORDER BY changed_at, id`,
    [leadId],
  );
}

export async function leadState(db: TestDatabase, leadId: string): Promise<{ stage: string; mql_at: Date | null; version: number }> {
  const [row] = await db.sql<{ stage: string; mql_at: Date | null; version: number }>(`SELECT stage, mql_at, version FROM leads WHERE id = $1`, [leadId]);
  if (!row) throw new Error(`no lead ${leadId}`);
  return row;
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
