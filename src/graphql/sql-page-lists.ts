import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { accountListSpec } from '../accounts/account.service';
import { Campaign } from '../campaigns/campaign.entity';
import { touchpointListSpec } from '../campaigns/touchpoint-list';
import type { ListSpec } from '../db/list-query';
import { Lead } from '../leads/lead.entity';
import { leadListSpec } from '../leads/lead.service';
import { opportunityListSpec } from '../opportunities/opportunity.service';
import { requestNow } from '../qualification/score.loaders';
import { User } from '../users/user.entity';
import type { Context } from './context';

/** Arguments of a list field as graphql-js coerces them (filter, orderBy and the page's first/after/last/before). */
type ListArgs = Record<string, never>;

/**
 * A list that src/graphql/sql-pages.ts may answer in one statement: the same ListSpec its resolver
 * builds from the same arguments (so filters, orderings and cursors stay defined once, in the
 * services), and for a child list the column that points at its parent.
 */
export interface PlannedList {
  spec(ctx: Context, args: ListArgs): ListSpec;
}

export interface PlannedChildList extends PlannedList {
  parentColumn: string;
}

/** Query fields, by name, whose resolver is `fetchPage(ctx, <spec>, page)`. */
export const ROOT_LISTS: Readonly<Record<string, PlannedList>> = {
  accounts: { spec: (_ctx, args) => accountListSpec(args.filter, args.orderBy) },
  leads: { spec: (ctx, args) => leadListSpec(args.filter, args.orderBy, requestNow(ctx)) },
  opportunities: { spec: (_ctx, args) => opportunityListSpec(args.filter, args.orderBy) },
  touchpoints: { spec: (_ctx, args) => touchpointListSpec(args.filter, args.orderBy) },
};

/** Object fields, as `Type.field`, whose resolver is `loadChildConnection(ctx, <spec>, parentColumn, parent.id, page)`. */
export const CHILD_LISTS: Readonly<Record<string, PlannedChildList>> = {
  'Account.leads': { parentColumn: 'account_id', spec: (ctx, args) => leadListSpec(args.filter, args.orderBy, requestNow(ctx)) },
  'Account.opportunities': { parentColumn: 'account_id', spec: (_ctx, args) => opportunityListSpec(args.filter, args.orderBy) },
  'Lead.touchpoints': { parentColumn: 'lead_id', spec: (_ctx, args) => touchpointListSpec(args.filter) },
};

/** Object fields, as `Type.field`, whose resolver is `byIdLoader(ctx, entity).load(parent.<column>)` (null without one). */
export const PARENT_ROWS: Readonly<Record<string, { entity: EntityTarget<ObjectLiteral>; column: string }>> = {
  'Account.owner': { entity: User, column: 'owner_id' },
  'Lead.account': { entity: Account, column: 'account_id' },
  'Opportunity.account': { entity: Account, column: 'account_id' },
  'Opportunity.owner': { entity: User, column: 'owner_id' },
  'Touchpoint.campaign': { entity: Campaign, column: 'campaign_id' },
  'Touchpoint.lead': { entity: Lead, column: 'lead_id' },
};
