/**
 * What an ANALYST caller (a BI tool) may read: every leaf field of the schema (a scalar or an
 * enum, as `Type.field`) is declared either visible or masked here. A field declared nowhere
 * (a new one) is masked all the same, and test/auth/analyst-masking.test.ts fails until it is
 * classified: a developer decides, the default never leaks.
 *
 * Visible: ids and cursors, enums, money, times, counts and metric figures, and the names of
 * business objects (accounts, campaigns) and their settings. Masked: who people are (names,
 * emails, job titles, their ids in other systems) and whatever people wrote as free text (notes,
 * lost reasons, deal names), plus the admin-only fields about callers (never an ANALYST's).
 */

/** How a masked field reads for ANALYST: a stable pseudonym (emails), or "[redacted]" / null. */
export type Masking = 'PSEUDONYM' | 'REDACT';

/** `XxxConnection.totalCount` and `XxxEdge.cursor` of a connection type. */
function connection(typeName: string): Record<string, readonly string[]> {
  return { [`${typeName}Connection`]: ['totalCount'], [`${typeName}Edge`]: ['cursor'] };
}

const VISIBLE_BY_TYPE: Record<string, readonly string[]> = {
  Account: ['id', 'createdAt', 'updatedAt', 'version', 'name', 'domain', 'industry', 'segment', 'walletSize', 'externalId'],
  ...connection('Account'),
  AccountWalletShare: ['expansionRevenue12m', 'openExpansionPipeline', 'revenue12m', 'shareOfWallet', 'walletSize', 'whitespace'],
  ...connection('AccountWalletShare'),
  AcquisitionCostReport: ['cac', 'from', 'newCustomers', 'spend', 'to'],
  AlignmentAgreement: [
    'id', 'approved', 'createdAt', 'effectiveFrom', 'followUpHours', 'marketingApprovedAt', 'monthlyMqlTarget', 'mqlThreshold',
    'salesApprovedAt', 'updatedAt', 'version', 'qualifiedLeads',
  ],
  ...connection('AlignmentAgreement'),
  ApiKey: ['id', 'createdAt', 'lastUsedAt', 'prefix', 'revokedAt', 'role', 'updatedAt'],
  ...connection('ApiKey'),
  // event sources (issue 15): admin-only, like API keys
  EventSource: ['id', 'createdAt', 'lastUsedAt', 'prefix', 'revokedAt', 'updatedAt'],
  ...connection('EventSource'),
  AttributionComparison: ['by', 'from', 'to', 'totalRevenue'],
  AttributionComparisonRow: ['channel'],
  AuditEntry: ['id', 'action', 'actorRole', 'at', 'mutation', 'objectId', 'objectType', 'requestId', 'updatedAt'],
  ...connection('AuditEntry'),
  DeletePayload: ['deletedId'],
  Campaign: ['id', 'budget', 'channel', 'createdAt', 'endsOn', 'externalId', 'name', 'ownerTeam', 'startsOn', 'updatedAt', 'version'],
  ...connection('Campaign'),
  CampaignLeadFeedback: ['accepted', 'channel', 'feedbackCount', 'rejected', 'rejectionRate'],
  CampaignPerformanceReport: [
    'from', 'model', 'to', 'totalPipeline', 'totalRevenue', 'unattributedPipeline', 'unattributedPipelineShare', 'unattributedRevenue',
    'unattributedRevenueShare',
  ],
  CampaignPerformanceRow: [
    'attributedPipeline', 'attributedRevenue', 'attributedWins', 'costPerLead', 'costPerMql', 'leadsSourced', 'mqls', 'roas', 'roi', 'spend',
    'touches',
  ],
  CampaignSpend: ['id', 'amount', 'createdAt', 'externalId', 'spentOn', 'updatedAt'],
  // a deal's own attribution (issue 14): positions, times, roles, weights and money, no one's name
  AttributedTouch: ['credit', 'heldRoles', 'occurredAt', 'position', 'roles', 'weight'],
  CampaignCredit: ['credit', 'exactCredit'],
  CampaignDealCredit: ['credit', 'exactCredit'],
  ...connection('CampaignDealCredit'),
  OpportunityAttribution: ['amount', 'journeyEnd', 'measure', 'model', 'unattributed'],
  ...connection('CampaignSpend'),
  ChannelLeadFeedback: ['accepted', 'channel', 'feedbackCount', 'rejected', 'rejectionRate'],
  ChannelPerformanceReport: [
    'from', 'model', 'to', 'totalPipeline', 'totalRevenue', 'unattributedPipeline', 'unattributedPipelineShare', 'unattributedRevenue',
    'unattributedRevenueShare',
  ],
  ChannelPerformanceRow: [
    'attributedPipeline', 'attributedRevenue', 'attributedWins', 'channel', 'costPerLead', 'costPerMql', 'leadsSourced', 'mqls', 'roas',
    'roi', 'spend', 'touches',
  ],
  FunnelReport: ['from', 'groupBy', 'to'],
  FunnelSegment: ['channel'],
  FunnelStageRow: ['conversionRateToNext', 'count', 'medianDaysToNext', 'stage'],
  // import jobs: only ADMIN and REVENUE_OPS read them (QUERY_ROLES); the rows' values and what
  // people or the engine wrote about them are masked all the same
  ImportColumnMapping: ['column', 'source'],
  ImportCounts: ['created', 'failed', 'unchanged', 'updated'],
  ImportFieldValue: ['name'],
  ImportFile: ['bytes', 'done', 'kind', 'preset', 'processedRows'],
  ImportJob: [
    'id', 'atomic', 'attempts', 'cancelRequested', 'createdAt', 'errorsCsvUrl', 'finishedAt', 'format', 'mode', 'processedRows', 'startedAt',
    'state', 'statusUrl', 'updatedAt',
  ],
  ...connection('ImportJob'),
  ImportRowError: ['column', 'kind', 'line'],
  ...connection('ImportRowError'),
  Lead: [
    'id', 'createdAt', 'customerAt', 'disqualifiedAt', 'erasedAt', 'mqlAt', 'opportunityAt', 'recycledAt', 'salAt', 'sqlAt', 'stage', 'updatedAt',
    'version',
  ],
  ...connection('Lead'),
  LeadFeedback: ['id', 'disposition', 'externalId', 'givenAt', 'reason', 'updatedAt'],
  ...connection('LeadFeedback'),
  LeadFeedbackCounts: ['accepted', 'feedbackCount', 'rejected', 'rejectionRate'],
  LeadFeedbackSummary: ['from', 'to'],
  LeadStageChange: ['id', 'changedAt', 'fromStage', 'toStage', 'updatedAt'],
  ...connection('LeadStageChange'),
  ModelRevenue: ['custom', 'dataDriven', 'firstTouch', 'fullPath', 'lastTouch', 'linear', 'positionBased', 'timeDecay', 'wShaped'],
  Opportunity: ['id', 'amount', 'closedAt', 'createdAt', 'externalId', 'kind', 'stage', 'updatedAt', 'version'],
  ...connection('Opportunity'),
  PageInfo: ['endCursor', 'hasNextPage', 'hasPreviousPage', 'startCursor'],
  PerformanceTotals: [
    'attributedPipeline', 'attributedRevenue', 'attributedWins', 'costPerLead', 'costPerMql', 'leadsSourced', 'mqls', 'roas', 'roi', 'spend',
    'touches',
  ],
  RejectionReasonCount: ['count', 'reason'],
  RowCount: ['count', 'kind'],
  RevenueTimeSeries: ['by', 'grain', 'model'],
  RevenueTimeSeriesRow: [
    'attributedPipeline', 'attributedRevenue', 'channel', 'from', 'periodStart', 'spend', 'to', 'unattributedPipeline', 'unattributedRevenue',
  ],
  // the lead-scoring rules of an agreement: configuration ("title contains VP"), not about a person
  ScoringRule: ['attribute', 'condition', 'points'],
  SlaComplianceReport: [
    'asOf', 'breached', 'complianceRate', 'from', 'medianResponseHours', 'mqls', 'noAgreement', 'pending', 'responded', 'to', 'within',
  ],
  SlaMonth: ['agreementVersion', 'attainment', 'fullMonth', 'monthStart', 'monthlyMqlTarget', 'mqlsDelivered', 'periodFrom', 'periodTo'],
  SlaResponseTimeBand: ['fromHours', 'leads', 'toHours'],
  Touchpoint: ['id', 'createdAt', 'externalId', 'kind', 'occurredAt', 'updatedAt'],
  ...connection('Touchpoint'),
  User: ['id', 'createdAt', 'team', 'updatedAt'],
  // what an upsert did (issue 11)
  ...Object.fromEntries(
    ['Account', 'Campaign', 'CampaignSpend', 'Lead', 'LeadFeedback', 'Opportunity', 'Touchpoint', 'User'].map((kind) => [
      `Upsert${kind}Payload`,
      ['created', 'outcome'],
    ]),
  ),
  ...connection('User'),
  WalletPortfolio: [
    'accounts', 'accountsWithWalletSize', 'expansionRevenue12m', 'netRevenueRetention', 'openExpansionPipeline', 'retentionBaseAccounts',
    'retentionBasePriorRevenue', 'retentionBaseRevenue12m', 'revenue12m', 'shareOfWallet', 'walletSize', 'whitespace',
  ],
  WalletShareReport: ['asOf', 'segment'],
  // the backtest of a qualification policy (issue 12): counts, money and ratios of sets of leads
  QualificationBacktest: [
    'asOf', 'bandWidth', 'cohort', 'cohortReachedCustomer', 'cohortReachedSql', 'draft', 'from', 'monthlyMqlTarget', 'mqlThreshold',
    'precisionCustomer', 'precisionSql', 'recallCustomer', 'recallSql', 'to',
  ],
  QualificationBacktestMonth: ['actualMqls', 'attainment', 'fullMonth', 'monthStart', 'monthlyMqlTarget', 'periodFrom', 'periodTo', 'predictedMqls'],
  QualificationBacktestSet: [
    'accepted', 'leads', 'reachedCustomer', 'reachedOpportunity', 'reachedSal', 'reachedSql', 'rejected', 'wonOpportunities', 'wonRevenue',
  ],
  QualificationScoreBand: ['customerShare', 'leads', 'reachedCustomer', 'reachedSql', 'scoreFrom', 'scoreTo', 'sqlShare'],
  // lead qualification (issue 12): policies are configuration; scores and their explanation are
  // figures; an account's custom attributes are business data; a lead's keys and types are the
  // CRM's field names (its values are personal, below)
  AccountAttribute: ['key', 'type', 'value'],
  LeadAttribute: ['key', 'type'],
  QualificationPolicy: ['engagementCap', 'engagementHalfLifeDays', 'engagementWindowDays', 'fitCap', 'minEngagement', 'minFit', 'mqlThreshold'],
  FitRule: ['attribute', 'operator', 'points', 'position'],
  EngagementRule: ['channels', 'points', 'position', 'touchKinds'],
  TypedValue: ['type', 'value'],
  LeadScore: ['asOf', 'engagement', 'fit', 'qualifies', 'total'],
  ScoreLine: ['ageDays', 'kind', 'points', 'rulePosition', 'touchAt'],
  // automatic MQL (issue 12): which agreement version qualified a lead, and the figures it scored
  AutomaticQualification: ['agreementVersion', 'engagement', 'fit', 'qualifyingAt', 'total'],
  ApproveAgreementPayload: ['qualifiedLeads'],
  // web events placed (issue 15): the rules are configuration; the health report's figures;
  // a lead's touch UTMs name campaigns, sources and media (term and content are masked below)
  UtmCampaignMapping: ['createdAt', 'updatedAt', 'utmCampaign'],
  ...connection('UtmCampaignMapping'),
  ChannelRule: ['channel', 'createdAt', 'medium', 'source', 'updatedAt'],
  ...connection('ChannelRule'),
  EventKindMapping: ['createdAt', 'eventName', 'kind', 'updatedAt'],
  ...connection('EventKindMapping'),
  UtmCampaignMappingPayload: ['replacedEvents'],
  ChannelRulePayload: ['replacedEvents'],
  EventKindMappingPayload: ['replacedEvents'],
  LeadTouchUtm: ['campaign', 'medium', 'occurredAt', 'source'],
  TrackingHealthReport: [
    'anonymousIdEvents', 'anonymousIds', 'anonymousTouches', 'backlog', 'events', 'from', 'oldestPendingReceivedAt', 'to', 'untrackedSpend',
  ],
  TrackedEventOutcomeCount: ['events', 'outcome'],
  UnknownUtmCampaign: ['events', 'firstSeenAt', 'lastSeenAt', 'unplacedEvents'],
  UnknownSourceMedium: ['events', 'firstSeenAt', 'lastSeenAt'],
  UntrackedCampaignSpend: ['spend'],
};

/** Every leaf field an ANALYST reads as stored, as `Type.field`. */
export const ANALYST_VISIBLE: ReadonlySet<string> = new Set(
  Object.entries(VISIBLE_BY_TYPE).flatMap(([type, fields]) => fields.map((field) => `${type}.${field}`)),
);

/** Leaf fields declared personal (or secret), and how each reads for an ANALYST. */
export const ANALYST_MASKED: ReadonlyMap<string, Masking> = new Map<string, Masking>([
  ['Lead.email', 'PSEUDONYM'],
  ['Lead.firstName', 'REDACT'],
  ['Lead.lastName', 'REDACT'],
  ['Lead.title', 'REDACT'],
  // a person's id in the CRM may be the email itself, and leads straight to the person
  ['Lead.externalId', 'REDACT'],
  ['User.email', 'PSEUDONYM'],
  ['User.name', 'REDACT'],
  ['User.externalId', 'REDACT'],
  ['LeadFeedback.note', 'REDACT'],
  ['Opportunity.lostReason', 'REDACT'],
  // deal names are free text, often naming the contact ("Acme - Jane's team")
  ['Opportunity.name', 'REDACT'],
  ['AlignmentAgreement.notes', 'REDACT'],
  // admin-only types: who created a key, who wrote what, and a new key's secret
  ['ApiKey.name', 'REDACT'],
  ['ApiKey.createdBy', 'REDACT'],
  ['AuditEntry.actor', 'REDACT'],
  ['AuditEntry.before', 'REDACT'],
  ['AuditEntry.after', 'REDACT'],
  // why a correction was made: free text an operator wrote, which may name the person
  ['AuditEntry.reason', 'REDACT'],
  ['CreateApiKeyPayload.secret', 'REDACT'],
  ['EventSource.name', 'REDACT'],
  ['EventSource.createdBy', 'REDACT'],
  ['CreateEventSourcePayload.writeKey', 'REDACT'],
  // a failed row's values are the file's (emails, names); a reason may quote them
  ['ImportFieldValue.value', 'REDACT'],
  ['ImportRowError.reason', 'REDACT'],
  ['ImportJob.message', 'REDACT'],
  ['ImportJob.createdBy', 'REDACT'],
  // a lead's custom attribute values are about the person (imported CRM fields)
  ['LeadAttribute.value', 'REDACT'],
  // web events (issue 15): UTM values are the sender's free text (email tools put subscriber ids
  // and addresses in utm_content and utm_term): ANALYST reads the counts, not the values
  ['LeadTouchUtm.term', 'REDACT'],
  ['LeadTouchUtm.content', 'REDACT'],
  ['UnknownUtmCampaign.value', 'REDACT'],
  ['UnknownSourceMedium.source', 'REDACT'],
  ['UnknownSourceMedium.medium', 'REDACT'],
]);

/**
 * Arguments that would let an ANALYST find out masked data by asking rather than reading:
 * searching on it, or ordering by it (a cursor carries the sort value, and the order itself
 * tells). Refused with FORBIDDEN wherever the input or enum is used, at any depth of the query.
 * `input` is `InputType.field` (refused when given); `enumValue` is `Enum.VALUE` (refused when chosen).
 */
export const ANALYST_REFUSED_ARGUMENTS: readonly { input?: string; enumValue?: string; reveals: readonly string[] }[] = [
  { input: 'LeadFilter.search', reveals: ['Lead.email', 'Lead.firstName', 'Lead.lastName'] },
  { enumValue: 'LeadOrderField.EMAIL', reveals: ['Lead.email'] },
  { enumValue: 'OpportunityOrderField.NAME', reveals: ['Opportunity.name'] },
  { enumValue: 'UserOrderField.NAME', reveals: ['User.name'] },
];
