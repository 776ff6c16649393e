import { BadInputError } from '../graphql/errors';
import { Channel, TouchpointKind } from '../common/enums';
import {
  AttributeType,
  EngagementRule,
  FitOperator,
  FitRule,
  QualificationPolicy,
  QualificationPolicyInput,
  TypedValue,
  TypedValueInput,
} from './policy.types';

/** Runs SQL with positional parameters: a TypeORM EntityManager or QueryRunner, or a pg client wrapped. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

const MAX_RULES = 100;
const MAX_POINTS = 1_000_000;
const BUILT_IN = new Map<string, AttributeType>([
  ['lead.jobTitle', AttributeType.TEXT],
  ['account.segment', AttributeType.TEXT],
  ['account.industry', AttributeType.TEXT],
  ['account.walletSize', AttributeType.NUMBER],
]);
const CUSTOM = /^(lead|account)\.attributes\.(.+)$/s;
/** A decimal number as rules and attributes take it: optional sign, digits, optional fraction (no exponent). */
export const DECIMAL = /^-?(0|[1-9]\d{0,29})(\.\d{1,20})?$/;

/**
 * A typed value as JSON text for the database, checked. Numbers are written as their decimal
 * text, so the database reads them exactly (jsonb numbers are numeric; a JavaScript number
 * would round "0.1000000000000000000001").
 */
export function typedValueJsonText(field: string, value: TypedValueInput): string {
  if (value.type === AttributeType.NUMBER) {
    if (!DECIMAL.test(value.value)) throw new BadInputError(`${field}.value`, `"${value.value}" is not a decimal number (e.g. "1200" or "-0.5", no exponent)`);
    return value.value;
  }
  if (value.type === AttributeType.BOOLEAN) {
    if (value.value !== 'true' && value.value !== 'false') throw new BadInputError(`${field}.value`, `a boolean is "true" or "false", not "${value.value}"`);
    return value.value;
  }
  if (value.value.length > 1000) throw new BadInputError(`${field}.value`, 'text values are at most 1,000 characters');
  return JSON.stringify(value.value);
}

/** JSON text of an array of typed values (checked). */
export function typedValuesJsonText(field: string, values: readonly TypedValueInput[]): string {
  return `[${values.map((v, i) => typedValueJsonText(`${field}[${i}]`, v)).join(',')}]`;
}

/** A typed value as the API shows it, from jsonb_typeof and the value's text (`v #>> '{}'`: exact for numbers). */
export function typedValueOf(jsonType: string, text: string): TypedValue {
  const type = jsonType === 'number' ? AttributeType.NUMBER : jsonType === 'boolean' ? AttributeType.BOOLEAN : AttributeType.TEXT;
  return { type, value: text };
}

function checkInt(field: string, value: number | null | undefined, min: number, max: number): void {
  if (value == null) return;
  if (!Number.isInteger(value) || value < min || value > max) throw new BadInputError(field, `must be a whole number from ${min} to ${max}`);
}

function checkPositive(field: string, value: number | null | undefined, max: number): void {
  if (value == null) return;
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new BadInputError(field, `must be greater than 0 and at most ${max}`);
}

/** The attribute's type when it is a built-in field (null for a custom attribute, whose type the stored value has). */
function attributeType(field: string, attribute: string): AttributeType | null {
  const builtIn = BUILT_IN.get(attribute);
  if (builtIn) return builtIn;
  const custom = CUSTOM.exec(attribute);
  if (!custom) {
    throw new BadInputError(field, `"${attribute}" is not an attribute: one of ${[...BUILT_IN.keys()].join(', ')}, lead.attributes.<key> or account.attributes.<key>`);
  }
  const key = custom[2] ?? '';
  if (key.length < 1 || key.length > 100) throw new BadInputError(field, 'a custom attribute key has 1 to 100 characters');
  return null;
}

/**
 * Checks a policy; every error names the rule and field at fault
 * (`input.policy.fitRules[2].values[0].value: ...`).
 */
export function validatePolicy(field: string, policy: QualificationPolicyInput): void {
  if (policy.fitRules.length > MAX_RULES) throw new BadInputError(`${field}.fitRules`, `at most ${MAX_RULES} rules`);
  if (policy.engagementRules.length > MAX_RULES) throw new BadInputError(`${field}.engagementRules`, `at most ${MAX_RULES} rules`);
  policy.fitRules.forEach((rule, i) => {
    const at = `${field}.fitRules[${i}]`;
    const type = attributeType(`${at}.attribute`, rule.attribute);
    checkInt(`${at}.points`, rule.points, -MAX_POINTS, MAX_POINTS);
    const n = rule.values.length;
    const one = rule.operator === FitOperator.EQUALS || rule.operator === FitOperator.GTE || rule.operator === FitOperator.LTE;
    if (rule.operator === FitOperator.EXISTS && n !== 0) throw new BadInputError(`${at}.values`, 'EXISTS takes no value');
    if (one && n !== 1) throw new BadInputError(`${at}.values`, `${rule.operator} takes exactly one value`);
    if ((rule.operator === FitOperator.IN || rule.operator === FitOperator.CONTAINS) && (n < 1 || n > 100)) {
      throw new BadInputError(`${at}.values`, `${rule.operator} takes 1 to 100 values`);
    }
    rule.values.forEach((value, j) => {
      typedValueJsonText(`${at}.values[${j}]`, value);
      if ((rule.operator === FitOperator.GTE || rule.operator === FitOperator.LTE) && value.type !== AttributeType.NUMBER) {
        throw new BadInputError(`${at}.values[${j}].type`, `${rule.operator} compares numbers only`);
      }
      if (rule.operator === FitOperator.CONTAINS && value.type !== AttributeType.TEXT) {
        throw new BadInputError(`${at}.values[${j}].type`, 'CONTAINS compares text only');
      }
      if (type !== null && value.type !== type) {
        throw new BadInputError(`${at}.values[${j}].type`, `${rule.attribute} is ${type}: a ${value.type} value would never match`);
      }
    });
  });
  policy.engagementRules.forEach((rule, i) => {
    const at = `${field}.engagementRules[${i}]`;
    checkInt(`${at}.points`, rule.points, 0, MAX_POINTS);
    if (rule.touchKinds.length > 50) throw new BadInputError(`${at}.touchKinds`, 'at most 50 kinds');
    if (rule.channels.length > 50) throw new BadInputError(`${at}.channels`, 'at most 50 channels');
  });
  checkPositive(`${field}.engagementHalfLifeDays`, policy.engagementHalfLifeDays, 3650);
  checkPositive(`${field}.engagementWindowDays`, policy.engagementWindowDays, 36_500);
  checkInt(`${field}.fitCap`, policy.fitCap, 0, 100 * MAX_POINTS);
  checkInt(`${field}.engagementCap`, policy.engagementCap, 0, 100 * MAX_POINTS);
  checkInt(`${field}.minFit`, policy.minFit, -100 * MAX_POINTS, 100 * MAX_POINTS);
  if (policy.minEngagement != null && (!Number.isFinite(policy.minEngagement) || Math.abs(policy.minEngagement) > 100 * MAX_POINTS)) {
    throw new BadInputError(`${field}.minEngagement`, `must be a number from ${-100 * MAX_POINTS} to ${100 * MAX_POINTS}`);
  }
}

/** An empty policy (no rules, no settings): what agreements proposed without one carry. */
export const EMPTY_POLICY: QualificationPolicyInput = { fitRules: [], engagementRules: [] };

/** Stores a validated policy with its threshold; returns its id. Run inside the caller's transaction. */
export async function insertPolicy(tx: SqlRunner, mqlThreshold: number, policy: QualificationPolicyInput): Promise<string> {
  const rows = (await tx.query(
    `INSERT INTO qualification_policies (mql_threshold, engagement_half_life_days, engagement_window_days, fit_cap, engagement_cap, min_fit, min_engagement)
     VALUES ($1, $2::text::numeric, $3::text::numeric, $4, $5, $6, $7::text::numeric) RETURNING id::text AS id`,
    [
      mqlThreshold,
      policy.engagementHalfLifeDays == null ? null : String(policy.engagementHalfLifeDays),
      policy.engagementWindowDays == null ? null : String(policy.engagementWindowDays),
      policy.fitCap ?? null,
      policy.engagementCap ?? null,
      policy.minFit ?? null,
      policy.minEngagement == null ? null : String(policy.minEngagement),
    ],
  )) as { id: string }[];
  const id = rows[0]?.id;
  if (!id) throw new Error('qualification policy not stored');
  if (policy.fitRules.length > 0) {
    await tx.query(
      `INSERT INTO qualification_rules (policy_id, kind, position, attribute, operator, "values", points)
       SELECT $1, 'FIT', r.position, r.attribute, r.operator, r.vals::jsonb, r.points
       FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[]) AS r(position, attribute, operator, vals, points)`,
      [
        id,
        policy.fitRules.map((_, i) => i + 1),
        policy.fitRules.map((r) => r.attribute),
        policy.fitRules.map((r) => r.operator),
        policy.fitRules.map((r, i) => typedValuesJsonText(`policy.fitRules[${i}].values`, r.values)),
        policy.fitRules.map((r) => r.points),
      ],
    );
  }
  if (policy.engagementRules.length > 0) {
    await tx.query(
      `INSERT INTO qualification_rules (policy_id, kind, position, touch_kinds, channels, points)
       SELECT $1, 'ENGAGEMENT', r.position, ARRAY(SELECT jsonb_array_elements_text(r.kinds::jsonb)), ARRAY(SELECT jsonb_array_elements_text(r.channels::jsonb)), r.points
       FROM unnest($2::int[], $3::text[], $4::text[], $5::int[]) AS r(position, kinds, channels, points)`,
      [
        id,
        policy.engagementRules.map((_, i) => i + 1),
        policy.engagementRules.map((r) => JSON.stringify(r.touchKinds)),
        policy.engagementRules.map((r) => JSON.stringify(r.channels)),
        policy.engagementRules.map((r) => r.points),
      ],
    );
  }
  return id;
}

interface PolicyRow {
  id: string;
  mql_threshold: number;
  engagement_half_life_days: string | null;
  engagement_window_days: string | null;
  fit_cap: number | null;
  engagement_cap: number | null;
  min_fit: number | null;
  min_engagement: string | null;
}

interface RuleRow {
  policy_id: string;
  kind: 'FIT' | 'ENGAGEMENT';
  position: number;
  attribute: string | null;
  operator: FitOperator | null;
  value_texts: { type: string; text: string }[] | null;
  touch_kinds: TouchpointKind[];
  channels: Channel[];
  points: number;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

/** The policies of these ids, with their rules in order (one statement each for policies and rules). */
export async function loadPolicies(db: SqlRunner, ids: readonly string[]): Promise<Map<string, QualificationPolicy>> {
  const policies = (await db.query(
    `SELECT id::text AS id, mql_threshold, engagement_half_life_days::text, engagement_window_days::text, fit_cap, engagement_cap, min_fit, min_engagement::text
     FROM qualification_policies WHERE id = ANY ($1::bigint[])`,
    [ids],
  )) as PolicyRow[];
  const rules = (await db.query(
    `SELECT policy_id::text AS policy_id, kind, position, attribute, operator,
            (SELECT jsonb_agg(jsonb_build_object('type', jsonb_typeof(v), 'text', v #>> '{}') ORDER BY o) FROM jsonb_array_elements(r."values") WITH ORDINALITY x(v, o)) AS value_texts,
            touch_kinds, channels, points
     FROM qualification_rules r WHERE policy_id = ANY ($1::bigint[]) ORDER BY policy_id, kind, position`,
    [ids],
  )) as RuleRow[];
  const out = new Map<string, QualificationPolicy>();
  for (const p of policies) {
    out.set(p.id, {
      mqlThreshold: p.mql_threshold,
      fitRules: [],
      engagementRules: [],
      engagementHalfLifeDays: num(p.engagement_half_life_days),
      engagementWindowDays: num(p.engagement_window_days),
      fitCap: p.fit_cap,
      engagementCap: p.engagement_cap,
      minFit: p.min_fit,
      minEngagement: num(p.min_engagement),
    });
  }
  for (const r of rules) {
    const policy = out.get(r.policy_id);
    if (!policy) continue;
    if (r.kind === 'FIT') {
      const rule: FitRule = {
        position: r.position,
        attribute: r.attribute ?? '',
        operator: r.operator ?? FitOperator.EXISTS,
        values: (r.value_texts ?? []).map((v) => typedValueOf(v.type, v.text)),
        points: r.points,
      };
      policy.fitRules.push(rule);
    } else {
      const rule: EngagementRule = { position: r.position, touchKinds: r.touch_kinds, channels: r.channels, points: r.points };
      policy.engagementRules.push(rule);
    }
  }
  return out;
}
