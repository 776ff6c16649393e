import { calendarDay } from '../common/validation';
import { SortDirection } from '../common/enums';
import { fetchPage, ListSpec } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';
import { decodeId } from '../graphql/node';
import { addRange, addUpdatedAfter, namedSortOf, NamedSort } from '../graphql/ordering';
import { CampaignSpend } from './campaign-spend.entity';
import type { TouchpointFilter } from './campaign.types';
import { Touchpoint } from './touchpoint.entity';
import {
  CampaignSpendFilter,
  CampaignSpendOrder,
  CampaignSpendOrderField,
  TouchpointOrder,
  TouchpointOrderField,
} from './touchpoint-list.types';

/** Column and cursor name of each order (the names cursors carried before orderBy existed). */
const TOUCHPOINT_ORDER: Record<TouchpointOrderField, NamedSort> = {
  [TouchpointOrderField.OCCURRED_AT]: { column: 't.occurred_at', name: 'occurredAt' },
  [TouchpointOrderField.CREATED_AT]: { column: 't.created_at', name: 'createdAt' },
  [TouchpointOrderField.UPDATED_AT]: { column: 't.updated_at', name: 'updatedAt' },
};

const SPEND_ORDER: Record<CampaignSpendOrderField, NamedSort> = {
  [CampaignSpendOrderField.SPENT_ON]: { column: 't.spent_on', name: 'spentOn' },
  [CampaignSpendOrderField.CREATED_AT]: { column: 't.created_at', name: 'createdAt' },
  [CampaignSpendOrderField.UPDATED_AT]: { column: 't.updated_at', name: 'updatedAt' },
};

/**
 * Filters and order of a touchpoint list, shared by `touchpoints`, `Campaign.touchpoints` and
 * `Lead.touchpoints` (in time order unless told otherwise).
 */
export function touchpointListSpec(filter: TouchpointFilter | null | undefined, order?: TouchpointOrder | null): ListSpec {
  const params = new SqlParams();
  const add = (v: unknown) => params.add(v);
  const where: string[] = [];
  addRange(where, add, 't.occurred_at', filter?.occurredAt, 'filter.occurredAt');
  if (filter?.kinds?.length) where.push(`t.kind = ANY(${add(filter.kinds)}::text[])`);
  if (filter?.campaignId) where.push(`t.campaign_id = ${add(decodeId('filter.campaignId', 'Campaign', filter.campaignId))}`);
  if (filter?.leadId) where.push(`t.lead_id = ${add(decodeId('filter.leadId', 'Lead', filter.leadId))}`);
  if (filter?.accountId) {
    const account = add(decodeId('filter.accountId', 'Account', filter.accountId));
    where.push(`t.lead_id IN (SELECT l.id FROM leads l WHERE l.account_id = ${account})`);
  }
  addUpdatedAfter(where, add, filter?.updatedAfter, 'filter.updatedAfter');
  const sort = namedSortOf(TOUCHPOINT_ORDER, order, { ...TOUCHPOINT_ORDER[TouchpointOrderField.OCCURRED_AT], direction: SortDirection.ASC });
  return { entity: Touchpoint, where, params, ...sort };
}

export function listTouchpoints(
  ctx: Context,
  filter: TouchpointFilter | undefined,
  order: TouchpointOrder | undefined,
  page: PageArgs,
): Promise<ConnectionResult<Touchpoint>> {
  return fetchPage<Touchpoint>(ctx, touchpointListSpec(filter, order), page);
}

/** Filters and order of the `campaignSpend` list (by day unless told otherwise). */
export function campaignSpendListSpec(filter: CampaignSpendFilter | null | undefined, order?: CampaignSpendOrder | null): ListSpec {
  const params = new SqlParams();
  const add = (v: unknown) => params.add(v);
  const where: string[] = [];
  const range = filter?.spentOn;
  if (range?.from && range.to && range.from >= range.to) throw new BadInputError('filter.spentOn.to', 'must be after from');
  if (range?.from) where.push(`t.spent_on >= ${add(calendarDay('filter.spentOn.from', range.from))}::date`);
  if (range?.to) where.push(`t.spent_on < ${add(calendarDay('filter.spentOn.to', range.to))}::date`);
  if (filter?.campaignId) where.push(`t.campaign_id = ${add(decodeId('filter.campaignId', 'Campaign', filter.campaignId))}`);
  if (filter?.channels?.length) {
    where.push(`t.campaign_id IN (SELECT c.id FROM campaigns c WHERE c.channel = ANY(${add(filter.channels)}::text[]))`);
  }
  addUpdatedAfter(where, add, filter?.updatedAfter, 'filter.updatedAfter');
  const sort = namedSortOf(SPEND_ORDER, order, { ...SPEND_ORDER[CampaignSpendOrderField.SPENT_ON], direction: SortDirection.ASC });
  return { entity: CampaignSpend, where, params, ...sort };
}

export function listCampaignSpend(
  ctx: Context,
  filter: CampaignSpendFilter | undefined,
  order: CampaignSpendOrder | undefined,
  page: PageArgs,
): Promise<ConnectionResult<CampaignSpend>> {
  return fetchPage<CampaignSpend>(ctx, campaignSpendListSpec(filter, order), page);
}
