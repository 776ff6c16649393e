import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';
import type { LoaderRegistry } from '../graphql/loaders';
import type { QualificationPolicy } from './policy.types';
import { loadPolicies } from './policy-store';
import { LeadScore, ScoreLine, ScoreLineKind } from './score.types';

/**
 * The per-request loaders of qualification: policies by id, the agreement in force at a time,
 * and scores and explanation lines keyed by (policy, asOf), each one statement for every lead
 * of the request (qualification_scores / qualification_lines over the array of their ids).
 */

const requestTimes = new WeakMap<LoaderRegistry, Date>();

/** "Now" of this request, the same for every field of it (so a page of leads scores in one batch). */
export function requestNow(ctx: Context): Date {
  let now = requestTimes.get(ctx.loaders);
  if (!now) {
    now = new Date();
    requestTimes.set(ctx.loaders, now);
  }
  return now;
}

export function policyLoader(ctx: Context) {
  return ctx.loaders.get<string, QualificationPolicy | null>('qualification:policies', async (ids) => {
    const policies = await loadPolicies(managerOf(ctx), ids);
    return ids.map((id) => policies.get(id) ?? null);
  });
}

export interface AgreementPolicy {
  agreementId: string;
  policyId: string;
}

/** The agreement (and its policy) in force at each time (ISO string), by qualification_policy_at. */
export function policyInForceLoader(ctx: Context) {
  return ctx.loaders.get<string, AgreementPolicy | null>('qualification:policyAt', async (times) => {
    const rows = (await managerOf(ctx).query(
      `SELECT k.n::int AS n, a.id::text AS "agreementId", a.policy_id::text AS "policyId"
         FROM unnest($1::timestamptz[]) WITH ORDINALITY AS k(at, n)
         JOIN alignment_agreements a ON a.policy_id = qualification_policy_at(k.at)`,
      [times],
    )) as (AgreementPolicy & { n: number })[];
    const byIndex = new Map(rows.map((r) => [r.n, { agreementId: r.agreementId, policyId: r.policyId }]));
    return times.map((_, i) => byIndex.get(i + 1) ?? null);
  });
}

interface ScoreRow {
  lead_id: string;
  fit: string;
  engagement: string;
  score: string;
  qualifies: boolean;
}

/** Scores of leads under one policy at one time: one call of qualification_scores for all of them. */
export function scoresLoader(ctx: Context, policyId: string, asOf: Date) {
  return ctx.loaders.get<string, Omit<LeadScore, 'agreementId'> | null>(`qualification:scores:${policyId}:${asOf.toISOString()}`, async (leadIds) => {
    const rows = (await managerOf(ctx).query(
      `SELECT lead_id::text AS lead_id, fit::text AS fit, engagement::text AS engagement, score::text AS score, qualifies
         FROM qualification_scores($1::bigint, $2::bigint[], $3::timestamptz)`,
      [policyId, leadIds, asOf],
    )) as ScoreRow[];
    const byLead = new Map(rows.map((r) => [r.lead_id, r]));
    return leadIds.map((id) => {
      const r = byLead.get(id);
      return r ? { leadId: id, policyId, asOf, fit: r.fit, engagement: r.engagement, total: r.score, qualifies: r.qualifies } : null;
    });
  });
}

interface LineRow {
  lead_id: string;
  line: ScoreLineKind;
  rule_position: number | null;
  touch_id: string | null;
  touch_at: Date | null;
  age_days: string | null;
  points: string;
}

/** Explanation lines of leads under one policy at one time, in order: one call of qualification_lines for all of them. */
export function linesLoader(ctx: Context, policyId: string, asOf: Date) {
  return ctx.loaders.get<string, ScoreLine[]>(`qualification:lines:${policyId}:${asOf.toISOString()}`, async (leadIds) => {
    const rows = (await managerOf(ctx).query(
      `SELECT lead_id::text AS lead_id, line, rule_position, touch_id::text AS touch_id, touch_at, age_days::text AS age_days, points::text AS points
         FROM qualification_lines($1::bigint, $2::bigint[], $3::timestamptz)
        ORDER BY lead_id, line_no`,
      [policyId, leadIds, asOf],
    )) as LineRow[];
    const byLead = new Map<string, ScoreLine[]>();
    for (const r of rows) {
      const line: ScoreLine = {
        kind: r.line,
        rulePosition: r.rule_position,
        touchpointId: r.touch_id,
        touchAt: r.touch_at,
        ageDays: r.age_days,
        points: r.points,
      };
      const list = byLead.get(r.lead_id);
      if (list) list.push(line);
      else byLead.set(r.lead_id, [line]);
    }
    return leadIds.map((id) => byLead.get(id) ?? []);
  });
}
