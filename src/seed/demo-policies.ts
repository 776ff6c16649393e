import type { PgClient } from './copy-loader';
import { AttributeType, FitOperator, QualificationPolicyInput } from '../qualification/policy.types';
import { insertPolicy, validatePolicy } from '../qualification/policy-store';
import type { Channel, TouchpointKind } from '../common/enums';

/**
 * The structured qualification policies of the demo's two agreements (the COPY of
 * alignment_agreements leaves each with the empty policy the database gives it). Calibrated on
 * the demo data: at size S, version 1 (threshold 60) would have made 854 MQLs over the last 12
 * months before the anchor, where the demo has 853; version 2 (threshold 65, slower decay,
 * longer window, stronger intent touches) 921, about the 10% more its target asks for.
 */

const text = (...values: string[]) => values.map((value) => ({ type: AttributeType.TEXT, value }));
const kinds = (...k: string[]) => k as TouchpointKind[];
const noChannels: Channel[] = [];

const SENIOR = text('VP', 'Head of', 'Director', 'Chief', 'CFO', 'CTO', 'COO', 'CEO');
const INTENT = kinds('FORM_FILL', 'WEBINAR_ATTENDED', 'EVENT_ATTENDED', 'MEETING', 'REFERRAL', 'DIRECT_MAIL_RESPONSE');
const INTEREST = kinds('CONTENT_DOWNLOAD', 'EMAIL_CLICK', 'AD_CLICK');

export const DEMO_POLICY_V1: QualificationPolicyInput = {
  fitRules: [
    { attribute: 'lead.jobTitle', operator: FitOperator.CONTAINS, values: SENIOR, points: 20 },
    { attribute: 'account.segment', operator: FitOperator.IN, values: text('MID_MARKET', 'ENTERPRISE'), points: 15 },
    { attribute: 'account.industry', operator: FitOperator.IN, values: text('Software', 'Financial Services'), points: 10 },
    { attribute: 'lead.jobTitle', operator: FitOperator.CONTAINS, values: text('Analyst'), points: -10 },
  ],
  engagementRules: [
    { touchKinds: INTENT, channels: noChannels, points: 25 },
    { touchKinds: INTEREST, channels: noChannels, points: 5 },
  ],
  engagementHalfLifeDays: 30,
  engagementWindowDays: 90,
  fitCap: 45,
  engagementCap: 60,
};

export const DEMO_POLICY_V2: QualificationPolicyInput = {
  fitRules: [
    ...DEMO_POLICY_V1.fitRules,
    { attribute: 'lead.jobTitle', operator: FitOperator.CONTAINS, values: text('Manager', 'Lead'), points: 5 },
  ],
  engagementRules: [
    { touchKinds: INTENT, channels: noChannels, points: 30 },
    { touchKinds: INTEREST, channels: noChannels, points: 5 },
  ],
  engagementHalfLifeDays: 45,
  engagementWindowDays: 120,
  fitCap: 45,
  engagementCap: 60,
};

/** Gives the demo's agreements (versions 1 and 2, just loaded) their structured policies, in the load's transaction. */
export async function insertDemoPolicies(client: PgClient): Promise<void> {
  const runner = { query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows };
  for (const [version, policy] of [[1, DEMO_POLICY_V1], [2, DEMO_POLICY_V2]] as const) {
    validatePolicy(`demo policy ${version}`, policy);
    const rows = (await runner.query(`SELECT id::text AS id, mql_threshold, policy_id::text AS policy_id FROM alignment_agreements WHERE version = $1`, [version])) as {
      id: string;
      mql_threshold: number;
      policy_id: string;
    }[];
    const agreement = rows[0];
    if (!agreement) continue;
    const policyId = await insertPolicy(runner, agreement.mql_threshold, policy);
    await runner.query(`UPDATE alignment_agreements SET policy_id = $1 WHERE id = $2`, [policyId, agreement.id]);
    await runner.query(`DELETE FROM qualification_policies WHERE id = $1`, [agreement.policy_id]);
  }
}
