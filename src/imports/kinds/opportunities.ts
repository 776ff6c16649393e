import { OpportunityKind, OpportunityStage } from '../../common/enums';
import { accountRef, fieldIf, KindSpec, lit, OK, ownerRef, refField, referenceSteps, Step } from './kind';

/**
 * Opportunities with their contacts and close, by the rules of createOpportunity and
 * moveOpportunityStage: a closed stage has closedAt and an open one has none, closedAt is not
 * before createdAt, only CLOSED_LOST has a lost reason, and a closed opportunity's stage does
 * not change. The row, its close and its contacts apply together.
 */

const CLOSED = `('CLOSED_WON','CLOSED_LOST')`;

const accountReference = accountRef(true);

function closeSteps(present: ReadonlySet<string>): Step[] {
  const given = (c: string, col: string) => (present.has(c) ? `s.${col}` : 'NULL');
  // a day-only close (Salesforce's CloseDate) is the start of that day, or the creation if later that day
  const fromDay = present.has('closeDate') ? `greatest(s.c_close_date::timestamp AT TIME ZONE 'UTC', s.f_created_at)` : 'NULL';
  return [
    { sql: `UPDATE import_stage s SET old_stage = o.stage, old_closed_at = o.closed_at, f_created_at = o.created_at FROM opportunities o WHERE o.id = s.target_id` },
    { sql: `UPDATE import_stage s SET f_created_at = ${present.has('createdAt') ? 'coalesce(s.c_created_at, now())' : 'now()'} WHERE s.target_id IS NULL` },
    { sql: `UPDATE import_stage s SET f_stage = coalesce(${given('stage', 'c_stage')}, s.old_stage, 'PROSPECTING')` },
    {
      column: 'stage',
      where: `s.old_stage IN ${CLOSED} AND s.f_stage <> s.old_stage`,
      reason: `format('the opportunity is %s; a closed opportunity''s stage cannot change', s.old_stage)`,
    },
    { column: 'closedAt', where: `${given('closedAt', 'c_closed_at')} IS NOT NULL AND s.f_stage NOT IN ${CLOSED}`, reason: lit('only a closed opportunity has closedAt') },
    {
      sql: `UPDATE import_stage s SET f_closed_at = CASE WHEN s.f_stage IN ${CLOSED}
              THEN coalesce(${given('closedAt', 'c_closed_at')}, ${fromDay}, s.old_closed_at) END`,
    },
    { column: 'closedAt', where: `s.f_stage IN ${CLOSED} AND s.f_closed_at IS NULL`, reason: `format('is required for a %s opportunity', s.f_stage)` },
    { column: 'closedAt', where: 's.f_closed_at < s.f_created_at', reason: lit('must not be before createdAt') },
    {
      column: 'lostReason',
      where: present.has('lostReason')
        ? `s.c_lost_reason IS NOT NULL AND s.f_stage <> 'CLOSED_LOST'`
        : `s.f_stage <> 'CLOSED_LOST' AND EXISTS (SELECT 1 FROM opportunities o WHERE o.id = s.target_id AND o.lost_reason IS NOT NULL)`,
      reason: lit('only a CLOSED_LOST opportunity has a lost reason'),
    },
  ];
}

function contactSteps(present: ReadonlySet<string>): Step[] {
  if (!present.has('contactEmails')) return [];
  const missing = `(SELECT e FROM unnest(s.c_contact_emails) e WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE lower(l.email) = e) LIMIT 1)`;
  return [
    { column: 'contactEmails', where: `${missing} IS NOT NULL`, reason: `format('no lead with email "%s"', ${missing})` },
    {
      sql: `UPDATE import_stage s SET contact_ids = ARRAY(
              SELECT DISTINCT l.id FROM unnest(s.c_contact_emails) e JOIN leads l ON lower(l.email) = e ORDER BY l.id)`,
    },
    {
      sql: `UPDATE import_stage s SET contacts_changed = s.contact_ids IS DISTINCT FROM ARRAY(
              SELECT oc.lead_id FROM opportunity_contacts oc WHERE oc.opportunity_id = s.target_id ORDER BY oc.lead_id)
             WHERE s.target_id IS NOT NULL`,
    },
  ];
}

export const opportunities: KindSpec = {
  kind: 'opportunities',
  table: 'opportunities',
  label: 'opportunity',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'accountDomain', type: 'domain' },
    { name: 'accountExternalId', type: 'text' },
    { name: 'name', type: 'name', required: true },
    { name: 'kind', type: 'enum', values: Object.values(OpportunityKind) },
    { name: 'stage', type: 'enum', values: Object.values(OpportunityStage) },
    { name: 'amount', type: 'money', required: true },
    { name: 'ownerEmail', type: 'email' },
    { name: 'lostReason', type: 'text' },
    { name: 'createdAt', type: 'time' },
    { name: 'closedAt', type: 'time' },
    { name: 'closeDate', type: 'day' },
    { name: 'contactEmails', type: 'emails' },
  ],
  extra: [
    'account_id bigint',
    'owner_id bigint',
    'old_stage text',
    'old_closed_at timestamptz',
    'f_created_at timestamptz',
    'f_stage text',
    'f_closed_at timestamptz',
    'contact_ids bigint[]',
    'contacts_changed boolean NOT NULL DEFAULT false',
    'new_id bigint',
  ],
  steps: ({ present }) => [...referenceSteps(accountReference, present), ...referenceSteps(ownerRef, present), ...closeSteps(present), ...contactSteps(present)],
  fields: ({ present }) => [
    ...refField(present, ['accountDomain', 'accountExternalId'], 'account_id', 'account_id'),
    ...fieldIf(present, 'name', 'name'),
    // a deal without a kind is new business (Salesforce's Type is often empty)
    ...(present.has('kind') ? [{ db: 'kind', expr: `coalesce(s.c_kind, 'NEW_BUSINESS')` }] : [{ db: 'kind', expr: `'NEW_BUSINESS'`, insertOnly: true }]),
    { db: 'stage', expr: 's.f_stage' },
    ...fieldIf(present, 'amount', 'amount'),
    ...refField(present, ['ownerEmail'], 'owner_id', 'owner_id'),
    ...fieldIf(present, 'lostReason', 'lost_reason'),
    { db: 'created_at', expr: 's.f_created_at', insertOnly: true },
    { db: 'closed_at', expr: 's.f_closed_at' },
  ],
  changedAlso: ({ present }) => (present.has('contactEmails') ? 's.contacts_changed' : null),
  afterInsert: ({ present }) =>
    present.has('contactEmails')
      ? [`INSERT INTO opportunity_contacts (opportunity_id, lead_id)
          SELECT s.new_id, unnest(s.contact_ids) FROM import_stage s WHERE ${OK} AND s.new_id IS NOT NULL`]
      : [],
  beforeUpdate: ({ present }) =>
    present.has('contactEmails')
      ? [
          `DELETE FROM opportunity_contacts oc USING import_stage s WHERE oc.opportunity_id = s.target_id AND ${OK} AND s.contacts_changed`,
          `INSERT INTO opportunity_contacts (opportunity_id, lead_id)
           SELECT s.target_id, unnest(s.contact_ids) FROM import_stage s WHERE ${OK} AND s.contacts_changed`,
        ]
      : [],
};
