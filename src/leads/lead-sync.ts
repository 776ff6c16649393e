import { Length } from 'class-validator';
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { assertMayLookUpPeople, changedFields, findByExternalId, upsertByExternalId, UpsertOutcome } from '../common/sync';
import { LeadStage } from '../common/enums';
import { normalisedEmail } from '../common/validation';
import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';
import { decodeId, toGlobalId } from '../graphql/node';
import { settleAutomaticMql } from '../qualification/auto-mql.service';
import { Lead } from './lead.entity';
import { changeLeadStage, createLead, updateLead } from './lead.service';
import { CreateLeadInput } from './lead.types';

@InputType({
  description:
    'A lead by its id in the source system: created when no lead has the externalId, else changed to these values (omitted fields stay as they are; null clears; a different stage moves the lead there now, by the rules of changeLeadStage; createdAt applies only when it creates).',
})
export class UpsertLeadInput extends CreateLeadInput {
  @Field({ description: 'Id in the source system; names the lead to create or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@ObjectType({ description: 'Result of upsertLead.' })
export class UpsertLeadPayload {
  @Field(() => Lead, { description: 'The lead as stored now.' })
  lead: Lead;

  @Field({ description: 'Whether the lead was created (false: it existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

/** Creates or changes the lead with `input.externalId`, through createLead / updateLead / changeLeadStage. */
export async function upsertLead(ctx: Context, input: UpsertLeadInput): Promise<UpsertLeadPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, Lead, input.externalId, {
    create: async (txCtx) => settled(txCtx, await createLead(txCtx, input)),
    update: async (txCtx, existing) => {
      const { email, firstName, lastName, title, accountId } = input;
      // a source system that never qualified a lead the policy made an MQL still says NEW: that keeps it
      const stage = input.stage === LeadStage.NEW && existing.stage === LeadStage.MQL && (await madeMqlAutomatically(txCtx, existing.id))
        ? undefined
        : input.stage;
      const changes = changedFields({ email, firstName, lastName, title, accountId, stage }, { ...existing }, {
        email: (e) => normalisedEmail('input.email', e),
        accountId: (id) => decodeId('input.accountId', 'Account', id),
      });
      const { stage: newStage, ...fields } = changes;
      if (Object.keys(fields).length === 0 && newStage == null) return null;
      const id = toGlobalId('Lead', existing.id);
      let lead = Object.keys(fields).length ? await updateLead(txCtx, { id, ...fields }) : existing;
      if (newStage != null) lead = (await changeLeadStage(txCtx, { leadId: id, stage: newStage })).lead;
      return settled(txCtx, lead);
    },
  });
  return { lead: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

/** The lead as stored once the upsert's writes have made it an MQL where they qualified it (automatic MQL). */
async function settled(txCtx: Context, lead: Lead): Promise<Lead> {
  const tx = txCtx.tx;
  if (!tx) return lead;
  await settleAutomaticMql(tx);
  return (await tx.getRepository(Lead).findOneBy({ id: lead.id })) ?? lead;
}

/** Whether the lead's latest stage change is an automatic MQL (by a qualification policy). */
async function madeMqlAutomatically(txCtx: Context, leadId: string): Promise<boolean> {
  const rows = (await managerOf(txCtx).query(
    `SELECT qualified_by_agreement_id IS NOT NULL AS automatic FROM lead_stage_changes
      WHERE lead_id = $1 ORDER BY changed_at DESC, id DESC LIMIT 1`,
    [leadId],
  )) as { automatic: boolean }[];
  return rows[0]?.automatic === true;
}

@Resolver()
export class LeadSyncResolver {
  @Query(() => Lead, {
    nullable: true,
    description: 'The lead with this id in the source system; null when there is none. Refused (FORBIDDEN) for ANALYST callers.',
  })
  leadByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    assertMayLookUpPeople(ctx, 'externalId', 'Lead.externalId');
    return findByExternalId(ctx, Lead, externalId);
  }

  @Query(() => Lead, {
    nullable: true,
    description: 'The lead with this email (any case); null when there is none. Refused (FORBIDDEN) for ANALYST callers.',
  })
  leadByEmail(@Ctx() ctx: Context, @Arg('email', { description: 'Email address.' }) email: string) {
    assertMayLookUpPeople(ctx, 'email', 'Lead.email');
    return managerOf(ctx)
      .getRepository(Lead)
      .createQueryBuilder('t')
      .where('lower(t.email) = lower(:email)', { email: normalisedEmail('email', email) })
      .getOne();
  }

  @Mutation(() => UpsertLeadPayload, { description: 'Creates the lead with this externalId, or changes it to these values (one transaction).' })
  upsertLead(@Ctx() ctx: Context, @Arg('input', () => UpsertLeadInput) input: UpsertLeadInput): Promise<UpsertLeadPayload> {
    return upsertLead(ctx, input);
  }
}
