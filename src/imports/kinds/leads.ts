import { STAGES_BY_ROLE } from '../../auth/policy';
import type { Role } from '../../auth/roles';
import { LeadStage } from '../../common/enums';
import { accountRef, attributeField, attributeSteps, Check, duplicateCheck, fieldIf, KindSpec, lit, OK, refField, referenceSteps, Step, takenCheck } from './kind';

/**
 * Leads with their stage times, by the rules of src/leads/lead-stages.ts: the funnel runs
 * forward (a jump fills the skipped stages with the time of the jump), back only to RECYCLED
 * or DISQUALIFIED, a disqualified lead can only be recycled, and the first time a stage was
 * reached is kept once set. A row's stage times, its stage and its stage change apply together.
 */

const FUNNEL = ['MQL', 'SAL', 'SQL', 'OPPORTUNITY', 'CUSTOMER'] as const;
const TIME_COLUMN: Record<(typeof FUNNEL)[number] | 'RECYCLED' | 'DISQUALIFIED', string> = {
  MQL: 'mqlAt',
  SAL: 'salAt',
  SQL: 'sqlAt',
  OPPORTUNITY: 'opportunityAt',
  CUSTOMER: 'customerAt',
  RECYCLED: 'recycledAt',
  DISQUALIFIED: 'disqualifiedAt',
};
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const rank = (expr: string) => `(array_position(ARRAY['NEW','MQL','SAL','SQL','OPPORTUNITY','CUSTOMER'], ${expr}) - 1)`;
/** The time the final stage was reached. */
const STAGE_TIME = `CASE s.f_stage ${Object.entries(TIME_COLUMN).map(([stage, c]) => `WHEN '${stage}' THEN s.f_${snake(c)}`).join(' ')} ELSE s.f_created_at END`;

const accountReference = accountRef(false);

/** The lead's latest stage change is an automatic MQL (by a qualification policy). */
const AUTOMATIC_MQL = `EXISTS (SELECT 1 FROM lead_stage_changes c WHERE c.lead_id = s.target_id AND c.to_stage = 'MQL'
  AND c.qualified_by_agreement_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM lead_stage_changes d WHERE d.lead_id = c.lead_id AND (d.changed_at, d.id) > (c.changed_at, c.id)))`;

function stageSteps(present: ReadonlySet<string>, actorRole: string): Step[] {
  const times = Object.values(TIME_COLUMN);
  const given = (c: string) => (present.has(c) ? `s.c_${snake(c)}` : 'NULL');
  // without a stage: the furthest funnel stage the times show, unless the lead is already further
  const derived = `CASE ${[...FUNNEL].reverse().map((st) => `WHEN x.f_${snake(TIME_COLUMN[st])} IS NOT NULL THEN '${st}'`).join(' ')} ELSE 'NEW' END`;
  const fromTimes = `CASE WHEN x.old_stage IS NULL OR ${rank('x.old_stage')} < ${rank(derived)} THEN ${derived} ELSE x.old_stage END`;
  // a source system that never qualified a lead the policy made an MQL still says NEW: that keeps it
  const givenStage = `CASE WHEN s.c_stage = 'NEW' AND x.old_stage = 'MQL' AND ${AUTOMATIC_MQL} THEN x.old_stage ELSE s.c_stage END`;
  const newCreatedAt = present.has('createdAt') ? 'coalesce(s.c_created_at, now())' : 'now()';
  const steps: Step[] = [
    // in one statement (one new version of each staged row): what the lead has (its stage, when
    // it was created, the first time it reached each stage); a time already set is kept (it is
    // when the stage was first reached) and the file fills the others; then the stage
    {
      sql: `UPDATE import_stage s SET (old_stage, f_created_at, ${times.map((c) => `f_${snake(c)}`).join(', ')}, f_stage) = (
              SELECT x.old_stage, x.f_created_at, ${times.map((c) => `x.f_${snake(c)}`).join(', ')},
                     ${present.has('stage') ? `coalesce(${givenStage}, ${fromTimes})` : fromTimes}
                FROM (SELECT l.stage AS old_stage, CASE WHEN s.target_id IS NULL THEN ${newCreatedAt} ELSE l.created_at END AS f_created_at,
                             ${times.map((c) => `coalesce(l.${snake(c)}, ${given(c)}) AS f_${snake(c)}`).join(', ')}
                        FROM (VALUES (1)) one LEFT JOIN leads l ON l.id = s.target_id) x)`,
    },
  ];
  const moved = 's.target_id IS NOT NULL AND s.f_stage <> s.old_stage';
  const checks: Check[] = [
    { column: 'stage', where: `${moved} AND s.f_stage = 'NEW'`, reason: lit('a lead cannot go back to NEW; recycle it instead') },
    {
      column: 'stage',
      where: `${moved} AND s.old_stage = 'DISQUALIFIED' AND s.f_stage <> 'RECYCLED'`,
      reason: lit('a disqualified lead can only be RECYCLED'),
    },
    {
      column: 'stage',
      where: `${moved} AND ${rank('s.f_stage')} < ${rank('s.old_stage')}`,
      reason: `format('cannot move back from %s to %s; only RECYCLED or DISQUALIFIED go back', s.old_stage, s.f_stage)`,
    },
  ];
  const allowed = STAGES_BY_ROLE[actorRole as Role];
  if (allowed) {
    checks.push({
      column: 'stage',
      where: `(s.target_id IS NULL OR s.f_stage <> s.old_stage) AND s.f_stage <> ALL (ARRAY[${allowed.map(lit).join(',')}])`,
      reason: `format('role ${actorRole} may not move a lead to %s', s.f_stage)`,
    });
  }
  // a funnel time the file gives beyond the lead's funnel stage contradicts it
  FUNNEL.forEach((st, i) => {
    const c = TIME_COLUMN[st];
    if (!present.has(c)) return;
    checks.push({
      column: c,
      where: `s.c_${snake(c)} IS NOT NULL AND ${rank('s.f_stage')} < ${i + 1}
              AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = s.target_id AND l.${snake(c)} IS NOT NULL)`,
      reason: `format('is set but the lead''s stage is %s', s.f_stage)`,
    });
  });
  steps.push(...checks);
  // reaching a stage without its time: the time it was reached is when the row says so, else
  // creation for a new lead (as createLead) or now (as changeLeadStage); a jump fills the
  // skipped stages with the time of the stage after them
  const fallback = `CASE WHEN s.target_id IS NULL THEN s.f_created_at ELSE now() END`;
  const reached = (st: string) => `CASE WHEN s.f_stage = '${st}' THEN ${fallback} END`;
  // a funnel stage's time, given the times of the stages after it: its own, else the fallback if
  // it is the lead's stage, else the time of the next stage (computed the same way)
  const filled = (i: number): string => {
    const st = FUNNEL[i];
    if (st === undefined) return 'NULL';
    return `coalesce(s.f_${snake(TIME_COLUMN[st])}, ${reached(st)}, ${filled(i + 1)})`;
  };
  const fills = [
    ...FUNNEL.map((st, i) => `f_${snake(TIME_COLUMN[st])} = ${filled(i)}`),
    ...(['RECYCLED', 'DISQUALIFIED'] as const).map((st) => `f_${snake(TIME_COLUMN[st])} = coalesce(s.f_${snake(TIME_COLUMN[st])}, ${reached(st)})`),
  ];
  steps.push({ sql: `UPDATE import_stage s SET ${fills.join(', ')}` });
  // the order the CHECK constraints of leads demand, named by the later column
  const order: [string, string, string][] = [
    ['mqlAt', 'f_mql_at', 'f_created_at'],
    ['salAt', 'f_sal_at', 'f_mql_at'],
    ['sqlAt', 'f_sql_at', 'f_sal_at'],
    ['opportunityAt', 'f_opportunity_at', 'f_sql_at'],
    ['customerAt', 'f_customer_at', 'f_opportunity_at'],
    ['recycledAt', 'f_recycled_at', 'f_created_at'],
    ['disqualifiedAt', 'f_disqualified_at', 'f_created_at'],
  ];
  const names: Record<string, string> = { f_created_at: 'createdAt', f_mql_at: 'mqlAt', f_sal_at: 'salAt', f_sql_at: 'sqlAt', f_opportunity_at: 'opportunityAt' };
  for (const [column, later, earlier] of order) {
    steps.push({ column, where: `s.${later} < s.${earlier}`, reason: lit(`must not be before ${names[earlier] ?? earlier}`) });
  }
  return steps;
}

const stageChange = (from: string, where: string): string =>
  `INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at)
   SELECT ${where === 'new' ? 's.new_id' : 's.target_id'}, ${from}, s.f_stage, ${STAGE_TIME}
     FROM import_stage s WHERE ${OK} AND ${where === 'new' ? 's.new_id IS NOT NULL' : 's.target_id IS NOT NULL AND s.f_stage <> s.old_stage'}
    ORDER BY s.line`;

export const leads: KindSpec = {
  kind: 'leads',
  table: 'leads',
  label: 'lead',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'email', type: 'email', required: true },
    { name: 'firstName', type: 'text' },
    { name: 'lastName', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'accountDomain', type: 'domain' },
    { name: 'accountExternalId', type: 'text' },
    { name: 'stage', type: 'enum', values: Object.values(LeadStage) },
    { name: 'createdAt', type: 'time' },
    ...Object.values(TIME_COLUMN).map((name) => ({ name, type: 'time' as const })),
    { name: 'attributes', type: 'attributes' },
  ],
  extra: [
    'f_attributes jsonb',
    'account_id bigint',
    'old_stage text',
    'f_stage text',
    'f_created_at timestamptz',
    ...Object.values(TIME_COLUMN).map((c) => `f_${snake(c)} timestamptz`),
    'new_id bigint',
  ],
  steps: ({ present, actorRole }): Step[] => [
    ...(present.has('email') ? [duplicateCheck('email', 's.c_email'), takenCheck('email', 'leads', 'lower(r.email)', 'lead')] : []),
    ...referenceSteps(accountReference, present),
    ...stageSteps(present, actorRole),
    ...attributeSteps('leads', 'a lead', present),
  ],
  fields: ({ present }) => [
    ...fieldIf(present, 'email', 'email'),
    ...fieldIf(present, 'firstName', 'first_name'),
    ...fieldIf(present, 'lastName', 'last_name'),
    ...fieldIf(present, 'title', 'title'),
    ...refField(present, ['accountDomain', 'accountExternalId'], 'account_id', 'account_id'),
    { db: 'stage', expr: 's.f_stage' },
    { db: 'created_at', expr: 's.f_created_at', insertOnly: true },
    ...Object.values(TIME_COLUMN).map((c) => ({ db: snake(c), expr: `s.f_${snake(c)}` })),
    ...attributeField(present),
  ],
  afterInsert: () => [stageChange('NULL', 'new')],
  afterUpdate: () => [stageChange('s.old_stage', 'old')],
};

