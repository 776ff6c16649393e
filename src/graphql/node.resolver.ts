import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { AlignmentAgreement } from '../alignment/agreement.entity';
import { LeadFeedback } from '../alignment/feedback.entity';
import { CampaignSpend } from '../campaigns/campaign-spend.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { Touchpoint } from '../campaigns/touchpoint.entity';
import { IMPORT_ROLES } from '../auth/policy';
import { ImportJob } from '../imports/jobs/import-job.entity';
import { LeadStageChange } from '../leads/lead-stage-change.entity';
import { Lead } from '../leads/lead.entity';
import { Opportunity } from '../opportunities/opportunity.entity';
import { User } from '../users/user.entity';
import type { Context } from './context';
import { byIdLoader } from './entity-loaders';
import { fromGlobalId, Node, NodeTypeName } from './node';

const ENTITY_OF: Record<NodeTypeName, new () => { id: string }> = {
  User,
  Account,
  Lead,
  LeadStageChange,
  Campaign,
  CampaignSpend,
  Touchpoint,
  Opportunity,
  LeadFeedback,
  AlignmentAgreement,
  ImportJob,
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when there is none.' })
  async node(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'A global id.' }) id: string): Promise<object | null> {
    const decoded = fromGlobalId(id);
    if (!decoded) return null;
    // import jobs hold the rows of their files: only the roles that import may see them
    if (decoded.type === 'ImportJob' && !(ctx.actor && IMPORT_ROLES.includes(ctx.actor.role))) return null;
    const row = await byIdLoader(ctx, ENTITY_OF[decoded.type]).load(decoded.id);
    if (row && decoded.type === 'ImportJob' && (row as ImportJob).state === ('UPLOADING' as ImportJob['state'])) return null;
    return row ? { ...row, __typename: decoded.type } : null;
  }
}
