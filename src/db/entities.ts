import { Account } from '../accounts/account.entity';
import { ApiKey } from '../auth/api-key.entity';
import { AuditEntry } from '../auth/audit-entry.entity';
import { AlignmentAgreement } from '../alignment/agreement.entity';
import { LeadFeedback } from '../alignment/feedback.entity';
import { EventSource } from '../events/event-source.entity';
import { CampaignSpend } from '../campaigns/campaign-spend.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { Touchpoint } from '../campaigns/touchpoint.entity';
import { LeadStageChange } from '../leads/lead-stage-change.entity';
import { ImportJob } from '../imports/jobs/import-job.entity';
import { Lead } from '../leads/lead.entity';
import { Opportunity, OpportunityContact } from '../opportunities/opportunity.entity';
import { User } from '../users/user.entity';

export const ENTITIES = [
  User,
  Account,
  Lead,
  LeadStageChange,
  Campaign,
  CampaignSpend,
  Touchpoint,
  Opportunity,
  OpportunityContact,
  LeadFeedback,
  AlignmentAgreement,
  ApiKey,
  AuditEntry,
  ImportJob,
  EventSource,
];
