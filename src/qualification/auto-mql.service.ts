import type { DataSource, EntityManager } from 'typeorm';
import { managerOf } from '../db/with-transaction';
import { withPgClient } from '../seed/load-demo';
import type { Context } from '../graphql/context';
import type { LeadStageChange } from '../leads/lead-stage-change.entity';
import type { AutomaticQualification } from './auto-mql.types';
import { ScoreLine, ScoreLineKind } from './score.types';

/**
 * Automatic MQL from the application's side (the work itself is in the database, migration
 * 1732780000000): what a stage change says about its qualification, how many leads a policy
 * qualified when it came into force, and applying the policies whose moment has come.
 */

interface StoredLine {
  kind: ScoreLineKind;
  rulePosition: number | null;
  touchpointId: string | null;
  touchAt: string | null;
  ageDays: string | null;
  points: string;
}

interface StoredQualification {
  fit: string;
  engagement: string;
  score: string;
  lines: StoredLine[];
}

/** The qualification kept on an automatic MQL's stage change; null for any other change. */
export function qualificationOf(change: LeadStageChange): AutomaticQualification | null {
  if (change.qualifiedByVersion == null || change.qualifyingAt == null) return null;
  const stored = change.qualification as StoredQualification | null;
  const explanation: ScoreLine[] = (stored?.lines ?? []).map((l) => ({
    kind: l.kind,
    rulePosition: l.rulePosition,
    touchpointId: l.touchpointId,
    touchAt: l.touchAt ? new Date(l.touchAt) : null,
    ageDays: l.ageDays,
    points: l.points,
  }));
  return {
    agreementId: change.qualifiedByAgreementId,
    agreementVersion: change.qualifiedByVersion,
    qualifyingAt: change.qualifyingAt,
    fit: stored?.fit ?? '0',
    engagement: stored?.engagement ?? '0',
    total: stored?.score ?? '0',
    explanation,
  };
}

/** How many leads each agreement's policy made MQLs when it came into force (null: not yet, or never in force). */
export function qualifiedLeadsLoader(ctx: Context) {
  return ctx.loaders.get<string, number | null>('qualification:applications', async (ids) => {
    const rows = (await managerOf(ctx).query(
      `SELECT agreement_id::text AS id, qualified_leads AS n FROM qualification_policy_applications
        WHERE agreement_id = ANY($1::bigint[]) AND came_into_force`,
      [ids],
    )) as { id: string; n: number }[];
    const byId = new Map(rows.map((r) => [r.id, r.n]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * Runs the automatic MQLs the transaction's writes so far have queued now rather than at its
 * commit, so that what the mutation reads back (a lead it returns) is current. Later writes of
 * the transaction queue again.
 */
export async function settleAutomaticMql(tx: EntityManager): Promise<void> {
  await tx.query('SET CONSTRAINTS auto_mql_at_commit IMMEDIATE');
  await tx.query('SET CONSTRAINTS auto_mql_at_commit DEFERRED');
}

export interface AppliedPolicy {
  agreementId: string;
  qualifiedLeads: number;
}

/**
 * Applies every approved policy whose moment of coming into force (the later of effectiveFrom and
 * its second approval) has passed and that was not applied yet: the leads in NEW or RECYCLED that
 * qualify at that moment become MQLs as of it. One transaction on a connection of its own without
 * the pool's time limits (a policy over a large base takes longer than a request may), audited
 * as the system.
 */
export async function applyDuePolicies(ds: DataSource): Promise<AppliedPolicy[]> {
  return withPgClient(ds, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(
        `SELECT set_config('app.actor', 'system', true), set_config('app.actor_role', 'SYSTEM', true),
                set_config('app.mutation', 'applyQualificationPolicies', true), set_config('statement_timeout', '0', true)`,
      );
      const { rows } = await client.query<AppliedPolicy>(
        `SELECT agreement_id::text AS "agreementId", qualified_leads AS "qualifiedLeads" FROM auto_mql_apply_due()`,
      );
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
