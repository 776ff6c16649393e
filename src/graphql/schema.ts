import 'reflect-metadata';
import { defaultFieldResolver, GraphQLSchema, isInterfaceType, isUnionType, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, NonEmptyArray } from 'type-graphql';
import { AccountDeletionResolver } from '../accounts/account-deletion.resolver';
import { AccountResolver } from '../accounts/account.resolver';
import { AccountSyncResolver } from '../accounts/account-sync.resolver';
import { LeadFeedbackSyncResolver } from '../alignment/feedback-sync';
import { CampaignSyncResolver } from '../campaigns/campaign-sync';
import { LeadSyncResolver } from '../leads/lead-sync';
import { OpportunitySyncResolver } from '../opportunities/opportunity-sync';
import { UserSyncResolver } from '../users/user-sync';
import { ApiKeyResolver, AuditResolver } from '../auth/auth.resolver';
import { EventSourceResolver } from '../events/event-sources.resolver';
import { maskForAnalyst } from '../auth/analyst-masking';
import { authorizeRootFields } from '../auth/authorization';
import { AlignmentAgreementResolver, LeadFeedbackResolver } from '../alignment/alignment.resolver';
import { CampaignCorrectionsResolver } from '../campaigns/campaign-corrections.resolver';
import { CampaignResolver } from '../campaigns/campaign.resolver';
import { ImportJobResolver } from '../imports/import.resolver';
import { CampaignSpendResolver, TouchpointResolver } from '../campaigns/touchpoint.resolver';
import { LeadErasureResolver } from '../leads/lead-erasure.resolver';
import { LeadResolver, LeadStageChangeResolver } from '../leads/lead.resolver';
import { AccountMetricsResolver } from '../metrics/account-metrics.resolver';
import { AcquisitionCostResolver } from '../metrics/acquisition-cost.resolver';
import { AttributionResolver } from '../metrics/attribution.resolver';
import { CampaignMetricsResolver } from '../metrics/campaign-metrics.resolver';
import { AttributedTouchResolver, CampaignCreditResolver, OpportunityAttributionResolver } from '../metrics/deal-attribution.resolver';
import { CampaignDealCreditResolver, CampaignDealsResolver } from '../metrics/campaign-deals.resolver';
import { CampaignLeadFeedbackResolver, LeadFeedbackSummaryResolver } from '../metrics/feedback.resolver';
import { FunnelResolver } from '../metrics/funnel.resolver';
import { WalletShareResolver } from '../metrics/share-of-wallet.resolver';
import { SlaResolver } from '../metrics/sla.resolver';
import { AgreementBacktestResolver, QualificationBacktestResolver } from '../qualification/backtest.resolver';
import { OpportunityCorrectionResolver } from '../opportunities/opportunity-correction.resolver';
import { OpportunityDeletionResolver } from '../opportunities/opportunity-deletion.resolver';
import { OpportunityResolver } from '../opportunities/opportunity.resolver';
import { UserResolver } from '../users/user.resolver';
import { AccountAttributesResolver, LeadAttributesResolver } from '../qualification/attributes.resolver';
import { AgreementPolicyResolver, LeadScoreFieldsResolver, LeadScoreResolver, ScoreLineResolver } from '../qualification/score.resolver';
import {
  AgreementQualifiedLeadsResolver,
  ApprovalQualifiedLeadsResolver,
  AutomaticQualificationResolver,
  StageChangeQualificationResolver,
} from '../qualification/auto-mql.resolver';
import { TrackingRulesResolver } from '../events/tracking-rules.resolver';
import { LeadTrackingResolver, TrackingHealthResolver, UntrackedCampaignSpendResolver } from '../events/tracking.resolver';
import type { Context } from './context';
import { NodeResolver } from './node.resolver';
import { validateArgs } from './validate-args';
import { DateTimeScalar } from './scalars';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  NodeResolver,
  UserResolver,
  AccountResolver,
  LeadResolver,
  LeadStageChangeResolver,
  CampaignResolver,
  CampaignSpendResolver,
  TouchpointResolver,
  OpportunityResolver,
  AlignmentAgreementResolver,
  LeadFeedbackResolver,
  ApiKeyResolver,
  AuditResolver,
  // event sources and their write keys (issue 15)
  EventSourceResolver,
  AttributionResolver,
  CampaignMetricsResolver,
  // a deal's own attribution, touch by touch (issue 14)
  OpportunityAttributionResolver,
  AttributedTouchResolver,
  CampaignCreditResolver,
  CampaignDealsResolver,
  CampaignDealCreditResolver,
  FunnelResolver,
  SlaResolver,
  LeadFeedbackSummaryResolver,
  CampaignLeadFeedbackResolver,
  WalletShareResolver,
  AcquisitionCostResolver,
  AccountMetricsResolver,
  // upserts and look-ups by what integrations hold (issue 11)
  UserSyncResolver,
  AccountSyncResolver,
  LeadSyncResolver,
  CampaignSyncResolver,
  OpportunitySyncResolver,
  LeadFeedbackSyncResolver,
  // corrections and erasure (issue 11)
  CampaignCorrectionsResolver,
  AccountDeletionResolver,
  OpportunityDeletionResolver,
  OpportunityCorrectionResolver,
  LeadErasureResolver,
  // import jobs and their doors (issue 11)
  ImportJobResolver,
  // lead qualification (issue 12): policies, custom attributes, scores
  AgreementPolicyResolver,
  LeadAttributesResolver,
  AccountAttributesResolver,
  LeadScoreResolver,
  LeadScoreFieldsResolver,
  ScoreLineResolver,
  // the backtest of a qualification policy (issue 12)
  QualificationBacktestResolver,
  AgreementBacktestResolver,
  // automatic MQL (issue 12)
  StageChangeQualificationResolver,
  AutomaticQualificationResolver,
  AgreementQualifiedLeadsResolver,
  ApprovalQualifiedLeadsResolver,
  // web events placed (issue 15): the rules, lead UTMs, tracking health
  TrackingRulesResolver,
  TrackingHealthResolver,
  UntrackedCampaignSpendResolver,
  LeadTrackingResolver,
];

let built: Promise<GraphQLSchema> | null = null;

/** The executable schema (built once per process). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validateFn: validateArgs,
  })
    // masking inside, authorization outside: a caller is checked before its arguments are
    .then(maskForAnalyst)
    .then(guardRootFields)
    .then(syncTypeResolution);
  return built;
}

/**
 * Authorization runs once per root field (Query and Mutation), wrapped around its resolver,
 * rather than as a global middleware that would also run for every nested field of every row.
 */
function guardRootFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (root, args, context: Context, info) =>
        authorizeRootFields({ root, args, context, info }, async () => resolve(root, args, context, info));
    }
  }
  return schema;
}

/**
 * type-graphql wraps resolveType in an async function; graphql-jit resolves abstract types
 * synchronously only. Rows are tagged with their type's name (see node.ts), so it is read as is.
 */
function syncTypeResolution(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isInterfaceType(type) || isUnionType(type)) {
      type.resolveType = (value: { __typename?: string }) => value?.__typename;
    }
  }
  return schema;
}

/** The SDL committed under schema/: sorted so diffs only show real changes. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
