import { Channel, FeedbackDisposition, OwnerTeam, Segment, Team, TouchpointKind } from '../../common/enums';
import { attributeField, attributeSteps, campaignRef, Check, duplicateCheck, fieldIf, KindSpec, leadRef, lit, ownerRef, refField, referenceSteps, sc, takenCheck } from './kind';

/** Kinds whose row is one row of one table: users, accounts, campaigns, spend, touchpoints, feedback. */

const values = (e: Record<string, string>) => Object.values(e);
const FEEDBACK_REASONS = ['BAD_FIT', 'NO_BUDGET', 'BAD_TIMING', 'DUPLICATE', 'UNREACHABLE', 'ALREADY_CUSTOMER', 'OTHER'];

export const users: KindSpec = {
  kind: 'users',
  table: 'users',
  label: 'user',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'name', type: 'name', required: true },
    { name: 'email', type: 'email', required: true },
    { name: 'team', type: 'enum', values: values(Team), required: true },
    { name: 'createdAt', type: 'time' },
  ],
  extra: [],
  steps: ({ present }) => (present.has('email') ? [duplicateCheck('email', 's.c_email'), takenCheck('email', 'users', 'lower(r.email)', 'user')] : []),
  fields: ({ present }) => [
    ...fieldIf(present, 'name', 'name'),
    ...fieldIf(present, 'email', 'email'),
    ...fieldIf(present, 'team', 'team'),
    ...(present.has('createdAt') ? [{ db: 'created_at', expr: 'coalesce(s.c_created_at, now())', insertOnly: true }] : []),
  ],
};

export const accounts: KindSpec = {
  kind: 'accounts',
  table: 'accounts',
  label: 'account',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'name', type: 'name', required: true },
    { name: 'domain', type: 'domain', required: true },
    { name: 'segment', type: 'enum', values: values(Segment), required: true },
    { name: 'industry', type: 'text' },
    { name: 'walletSize', type: 'money' },
    { name: 'ownerEmail', type: 'email' },
    { name: 'createdAt', type: 'time' },
    { name: 'attributes', type: 'attributes' },
  ],
  extra: ['owner_id bigint', 'f_attributes jsonb'],
  steps: ({ present }) => [
    ...(present.has('domain') ? [duplicateCheck('domain', 's.c_domain'), takenCheck('domain', 'accounts', 'r.domain', 'account')] : []),
    ...referenceSteps(ownerRef, present),
    ...attributeSteps('accounts', 'an account', present),
  ],
  fields: ({ present }) => [
    ...fieldIf(present, 'name', 'name'),
    ...fieldIf(present, 'domain', 'domain'),
    ...fieldIf(present, 'segment', 'segment'),
    ...fieldIf(present, 'industry', 'industry'),
    ...fieldIf(present, 'walletSize', 'wallet_size'),
    ...refField(present, ['ownerEmail'], 'owner_id', 'owner_id'),
    ...(present.has('createdAt') ? [{ db: 'created_at', expr: 'coalesce(s.c_created_at, now())', insertOnly: true }] : []),
    ...attributeField(present),
  ],
};

export const campaigns: KindSpec = {
  kind: 'campaigns',
  table: 'campaigns',
  label: 'campaign',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'name', type: 'name', required: true },
    { name: 'channel', type: 'enum', values: values(Channel), required: true },
    { name: 'ownerTeam', type: 'enum', values: values(OwnerTeam), required: true },
    { name: 'startsOn', type: 'day', required: true },
    { name: 'endsOn', type: 'day' },
    { name: 'budget', type: 'money' },
    { name: 'createdAt', type: 'time' },
  ],
  extra: [],
  steps: ({ present }) => {
    if (!present.has('endsOn') && !present.has('startsOn')) return [];
    const starts = present.has('startsOn') ? 's.c_starts_on' : '(SELECT r.starts_on FROM campaigns r WHERE r.id = s.target_id)';
    const ends = present.has('endsOn') ? 's.c_ends_on' : '(SELECT r.ends_on FROM campaigns r WHERE r.id = s.target_id)';
    return [{ column: 'endsOn', where: `${ends} < ${starts}`, reason: lit('must not be before startsOn') }];
  },
  fields: ({ present }) => [
    ...fieldIf(present, 'name', 'name'),
    ...fieldIf(present, 'channel', 'channel'),
    ...fieldIf(present, 'ownerTeam', 'owner_team'),
    ...fieldIf(present, 'startsOn', 'starts_on'),
    ...fieldIf(present, 'endsOn', 'ends_on'),
    ...fieldIf(present, 'budget', 'budget'),
    ...(present.has('createdAt') ? [{ db: 'created_at', expr: 'coalesce(s.c_created_at, now())', insertOnly: true }] : []),
  ],
};

export const spend: KindSpec = {
  kind: 'spend',
  table: 'campaign_spend',
  label: 'spend entry',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'campaignExternalId', type: 'text', required: true },
    { name: 'spentOn', type: 'day', required: true },
    { name: 'amount', type: 'money', required: true },
  ],
  extra: ['campaign_id bigint'],
  steps: ({ present }) => referenceSteps(campaignRef, present),
  fields: ({ present }) => [
    ...refField(present, ['campaignExternalId'], 'campaign_id', 'campaign_id'),
    ...fieldIf(present, 'spentOn', 'spent_on'),
    ...fieldIf(present, 'amount', 'amount'),
  ],
};

export const touchpoints: KindSpec = {
  kind: 'touchpoints',
  table: 'touchpoints',
  label: 'touchpoint',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'leadEmail', type: 'email' },
    { name: 'leadExternalId', type: 'text' },
    { name: 'campaignExternalId', type: 'text', required: true },
    { name: 'kind', type: 'enum', values: values(TouchpointKind), required: true },
    { name: 'occurredAt', type: 'time', required: true },
  ],
  extra: ['lead_id bigint', 'campaign_id bigint'],
  steps: ({ present }) => [...referenceSteps(leadRef, present), ...referenceSteps(campaignRef, present)],
  fields: ({ present }) => [
    ...refField(present, ['leadEmail', 'leadExternalId'], 'lead_id', 'lead_id'),
    ...refField(present, ['campaignExternalId'], 'campaign_id', 'campaign_id'),
    ...fieldIf(present, 'kind', 'kind'),
    ...fieldIf(present, 'occurredAt', 'occurred_at'),
  ],
};

function feedbackChecks(present: ReadonlySet<string>): Check[] {
  const leadColumn = present.has('leadEmail') ? 'leadEmail' : 'leadExternalId';
  const checks: Check[] = [
    { column: leadColumn, where: 's.lead_mql_at IS NULL', reason: lit('the lead was never handed over (it has not reached MQL)') },
  ];
  if (present.has('givenAt')) checks.push({ column: 'givenAt', where: 's.c_given_at < s.lead_mql_at', reason: lit('must not be before the lead became an MQL') });
  if (present.has('disposition')) {
    const reason = present.has('reason') ? 's.c_reason' : '(SELECT r.reason FROM lead_feedback r WHERE r.id = s.target_id)';
    checks.push(
      { column: 'reason', where: `s.c_disposition = 'REJECTED' AND ${reason} IS NULL`, reason: lit('is required when the lead is rejected') },
      { column: 'reason', where: `s.c_disposition <> 'REJECTED' AND ${reason} IS NOT NULL`, reason: lit('is only given when the lead is rejected') },
    );
  }
  if (present.has('note')) checks.push({ column: 'note', where: 'length(s.c_note) > 4000', reason: lit('must be at most 4000 characters') });
  return checks;
}

export const feedback: KindSpec = {
  kind: 'feedback',
  table: 'lead_feedback',
  label: 'feedback entry',
  columns: [
    { name: 'externalId', type: 'text', required: true },
    { name: 'leadEmail', type: 'email' },
    { name: 'leadExternalId', type: 'text' },
    { name: 'disposition', type: 'enum', values: values(FeedbackDisposition), required: true },
    { name: 'reason', type: 'enum', values: FEEDBACK_REASONS },
    { name: 'note', type: 'text' },
    { name: 'givenByEmail', type: 'email' },
    { name: 'givenAt', type: 'time' },
  ],
  extra: ['lead_id bigint', 'given_by_id bigint', 'lead_mql_at timestamptz'],
  steps: ({ present }) => [
    ...referenceSteps(leadRef, present),
    ...referenceSteps({ target: 'given_by_id', table: 'users', label: 'user', byKey: { column: 'givenByEmail', sql: 'lower(r.email)', what: 'email' }, requiredForNew: false }, present),
    {
      sql: `UPDATE import_stage s SET lead_mql_at = l.mql_at FROM leads l
             WHERE l.id = coalesce(s.lead_id, (SELECT r.lead_id FROM lead_feedback r WHERE r.id = s.target_id))`,
    },
    ...feedbackChecks(present),
  ],
  fields: ({ present }) => [
    ...refField(present, ['leadEmail', 'leadExternalId'], 'lead_id', 'lead_id'),
    ...refField(present, ['givenByEmail'], 'given_by_id', 'given_by_id'),
    ...fieldIf(present, 'disposition', 'disposition'),
    ...fieldIf(present, 'reason', 'reason'),
    ...fieldIf(present, 'note', 'note'),
    ...(present.has('givenAt') ? [{ db: 'given_at', expr: 'coalesce(s.c_given_at, now())' }] : []),
  ],
};

