import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import type { Context } from '../graphql/context';
import { Lead } from '../leads/lead.entity';
import { attributesLoader, setAttributes } from './attributes.service';
import {
  AccountAttribute,
  LeadAttribute,
  SetAccountAttributesInput,
  SetAccountAttributesPayload,
  SetLeadAttributesInput,
  SetLeadAttributesPayload,
} from './attributes.types';

@Resolver(() => Lead)
export class LeadAttributesResolver {
  @FieldResolver(() => [LeadAttribute], { description: 'Custom attributes (imported CRM fields), keys in byte order; fit rules read them as lead.attributes.<key>.' })
  attributes(@Ctx() ctx: Context, @Root() lead: Lead) {
    return attributesLoader(ctx, 'leads').load(lead.id);
  }

  @Mutation(() => SetLeadAttributesPayload, { description: 'Sets and removes custom attributes of a lead, in one transaction.' })
  async setLeadAttributes(@Ctx() ctx: Context, @Arg('input', () => SetLeadAttributesInput) input: SetLeadAttributesInput): Promise<SetLeadAttributesPayload> {
    return { lead: await setAttributes<Lead>(ctx, 'lead', { ...input, id: input.leadId }) };
  }
}

@Resolver(() => Account)
export class AccountAttributesResolver {
  @FieldResolver(() => [AccountAttribute], { description: 'Custom attributes (imported CRM fields), keys in byte order; fit rules read them as account.attributes.<key>.' })
  attributes(@Ctx() ctx: Context, @Root() account: Account) {
    return attributesLoader(ctx, 'accounts').load(account.id);
  }

  @Mutation(() => SetAccountAttributesPayload, { description: 'Sets and removes custom attributes of an account, in one transaction.' })
  async setAccountAttributes(
    @Ctx() ctx: Context,
    @Arg('input', () => SetAccountAttributesInput) input: SetAccountAttributesInput,
  ): Promise<SetAccountAttributesPayload> {
    return { account: await setAttributes<Account>(ctx, 'account', { ...input, id: input.accountId }) };
  }
}
