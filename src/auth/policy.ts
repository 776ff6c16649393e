import { LeadStage } from '../common/enums';
import { ForbiddenError } from '../graphql/errors';
import { Role } from './roles';

const { ADMIN, REVENUE_OPS, MARKETING, SALES } = Role;
const ALL_WRITERS = [ADMIN, REVENUE_OPS];

/**
 * Who may call each mutation (issue 5): marketing writes campaigns, spend, touchpoints and
 * leads; sales writes opportunities and feedback; both move lead stages and handle agreements;
 * users and accounts are revenue ops' and admins'. Reads are open to every role (ANALYST with
 * personal data masked); finer rules (lead stages by team, approvals by team) live in the services.
 */
export const MUTATION_ROLES: Record<string, readonly Role[]> = {
  createUser: [...ALL_WRITERS],
  createAccount: [...ALL_WRITERS],
  updateAccount: [...ALL_WRITERS],
  createLead: [...ALL_WRITERS, MARKETING],
  updateLead: [...ALL_WRITERS, MARKETING],
  changeLeadStage: [...ALL_WRITERS, MARKETING, SALES],
  createCampaign: [...ALL_WRITERS, MARKETING],
  updateCampaign: [...ALL_WRITERS, MARKETING],
  recordSpend: [...ALL_WRITERS, MARKETING],
  recordTouchpoint: [...ALL_WRITERS, MARKETING],
  createOpportunity: [...ALL_WRITERS, SALES],
  updateOpportunity: [...ALL_WRITERS, SALES],
  moveOpportunityStage: [...ALL_WRITERS, SALES],
  giveLeadFeedback: [...ALL_WRITERS, SALES],
  proposeAgreement: [...ALL_WRITERS, MARKETING, SALES],
  approveAgreement: [...ALL_WRITERS, MARKETING, SALES],
  // corrections and erasure: deletes of history are revenue ops' and admins'; marketing corrects
  // what it records (touchpoints only within BACKDATE_TOLERANCE_MINUTES, see assertMayCorrect)
  updateTouchpoint: [...ALL_WRITERS, MARKETING],
  deleteTouchpoint: [...ALL_WRITERS, MARKETING],
  updateSpend: [...ALL_WRITERS, MARKETING],
  deleteSpend: [...ALL_WRITERS, MARKETING],
  deleteCampaign: [...ALL_WRITERS, MARKETING],
  deleteOpportunity: [...ALL_WRITERS],
  // sales corrects a close it just recorded (within BACKDATE_TOLERANCE_MINUTES, see assertMayCorrect)
  correctOpportunityClose: [...ALL_WRITERS, SALES],
  deleteAccount: [...ALL_WRITERS],
  eraseLead: [...ALL_WRITERS],
  createImport: [...ALL_WRITERS],
  cancelImport: [...ALL_WRITERS],
  // upserts by externalId (issue 11): the roles of the create of the same kind
  upsertUser: [...ALL_WRITERS],
  upsertAccount: [...ALL_WRITERS],
  upsertLead: [...ALL_WRITERS, MARKETING],
  upsertCampaign: [...ALL_WRITERS, MARKETING],
  upsertCampaignSpend: [...ALL_WRITERS, MARKETING],
  upsertTouchpoint: [...ALL_WRITERS, MARKETING],
  upsertOpportunity: [...ALL_WRITERS, SALES],
  upsertLeadFeedback: [...ALL_WRITERS, SALES],
  // custom attributes (issue 12): who may update the lead or the account
  setLeadAttributes: [...ALL_WRITERS, MARKETING],
  setAccountAttributes: [...ALL_WRITERS],
  createApiKey: [ADMIN],
  revokeApiKey: [ADMIN],
  // the rules that place web events (issue 15): marketing's campaigns and channels
  setUtmCampaignMapping: [...ALL_WRITERS, MARKETING],
  removeUtmCampaignMapping: [...ALL_WRITERS, MARKETING],
  setChannelRule: [...ALL_WRITERS, MARKETING],
  removeChannelRule: [...ALL_WRITERS, MARKETING],
  setEventKindMapping: [...ALL_WRITERS, MARKETING],
  removeEventKindMapping: [...ALL_WRITERS, MARKETING],
  // event sources and their write keys (issue 15), like API keys
  createEventSource: [ADMIN],
  revokeEventSource: [ADMIN],
};

/**
 * Roles that may date a write further back than BACKDATE_TOLERANCE_MINUTES: historical loads.
 * Others record what happens as it happens, so a back-dated `at` cannot rewrite what a report
 * already showed (a breached SLA made "within", a win moved to another quarter).
 */
export const BACKDATING_ROLES: ReadonlySet<Role> = new Set([ADMIN, REVENUE_OPS]);

/**
 * Refuses a caller-supplied time of a write more than `toleranceMinutes` before `now`, unless the
 * caller's role may back-date. No caller at all is the service's own job (CLI, seeding).
 */
export function assertMayBackdate(actorRole: Role | undefined, field: string, at: Date, now: Date, toleranceMinutes: number): void {
  if (actorRole === undefined || BACKDATING_ROLES.has(actorRole)) return;
  if (at.getTime() < now.getTime() - toleranceMinutes * 60_000) {
    throw new ForbiddenError(
      `role ${actorRole} may not date a write more than ${toleranceMinutes} minutes before now (back-dating is for ${[...BACKDATING_ROLES].join(' and ')})`,
      field,
    );
  }
}

/** Who may create, cancel and read import jobs (GraphQL, and POST/GET /imports): their files hold personal data. */
export const IMPORT_ROLES: readonly Role[] = [...ALL_WRITERS];

/** Root query fields only some roles may read (every other query is open to every role). */
export const QUERY_ROLES: Record<string, readonly Role[]> = {
  import: IMPORT_ROLES,
  imports: IMPORT_ROLES,
};

/** Root query fields only admins may read. */
export const ADMIN_QUERIES = new Set(['apiKeys', 'auditLog', 'eventSources']);

/** Lead stages each team may move a lead to: marketing up to MQL, sales from SAL on. */
export const STAGES_BY_ROLE: Partial<Record<Role, readonly LeadStage[]>> = {
  [MARKETING]: [LeadStage.NEW, LeadStage.MQL, LeadStage.RECYCLED, LeadStage.DISQUALIFIED],
  [SALES]: [LeadStage.SAL, LeadStage.SQL, LeadStage.OPPORTUNITY, LeadStage.CUSTOMER, LeadStage.RECYCLED, LeadStage.DISQUALIFIED],
};

/** Refuses a lead stage the caller's team may not set (checked before the lead is read). */
export function assertMayMoveLeadTo(actorRole: Role | undefined, stage: LeadStage): void {
  const allowed = actorRole ? STAGES_BY_ROLE[actorRole] : undefined;
  if (allowed && !allowed.includes(stage)) {
    throw new ForbiddenError(`role ${actorRole} may not move a lead to ${stage}`);
  }
}
