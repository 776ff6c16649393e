import { ImportFileError } from '../columns';
import type { ImportKind } from '../engine';
import { hubspotCompanies, hubspotContacts, hubspotDeals, salesforceOpportunities } from './crm';
import { salesforceAccounts, salesforceCampaignMembers, salesforceCampaigns, salesforceContacts, salesforceLeads } from './salesforce';
import type { Preset } from './preset';

/** Every preset by name. */
export const PRESETS: Record<string, Preset> = Object.fromEntries(
  [
    hubspotContacts, hubspotCompanies, hubspotDeals,
    salesforceLeads, salesforceContacts, salesforceAccounts, salesforceOpportunities, salesforceCampaigns, salesforceCampaignMembers,
  ].map((p) => [p.name, p]),
);

export function presetFor(name: string, kind: ImportKind): Preset {
  const preset = PRESETS[name];
  if (!preset) throw new ImportFileError(`unknown preset "${name}"; the presets are ${Object.keys(PRESETS).join(', ') || 'none'}`);
  if (preset.kind !== kind) throw new ImportFileError(`the preset "${name}" is for ${preset.kind}, not ${kind}`);
  return preset;
}
