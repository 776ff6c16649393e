import { Field, ID, InterfaceType } from 'type-graphql';
import { BadInputError } from './errors';

/** Types that `node(id)` can fetch, by the name encoded in their global id. */
export const NODE_TYPES = [
  'User',
  'Account',
  'Lead',
  'Campaign',
  'CampaignSpend',
  'Touchpoint',
  'Opportunity',
  'LeadFeedback',
  'AlignmentAgreement',
  'LeadStageChange',
  'ImportJob',
] as const;
export type NodeTypeName = (typeof NODE_TYPES)[number];

@InterfaceType('Node', {
  description: 'An object with a globally unique id, fetchable through `node(id)`.',
  // rows are plain objects: `node(id)` tags them with the type its id names
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: 'Globally unique, opaque id.' })
  id: string;
}

/** Global ids are base64 of "Type:databaseId", as Relay servers commonly do. */
export function toGlobalId(type: NodeTypeName, id: string | number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64');
}

export function fromGlobalId(globalId: string): { type: NodeTypeName; id: string } | null {
  if (typeof globalId !== 'string' || globalId.length > 200) return null;
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const match = /^([A-Za-z]+):([1-9]\d{0,17})$/.exec(decoded);
  if (!match) return null;
  const type = match[1] as NodeTypeName;
  if (!NODE_TYPES.includes(type)) return null;
  return { type, id: match[2] as string };
}

/** Decodes the global id of an input field that must name a `type`, or fails naming the field. */
export function decodeId(field: string, type: NodeTypeName, globalId: string): string {
  const decoded = fromGlobalId(globalId);
  if (!decoded || decoded.type !== type) {
    throw new BadInputError(field, `"${globalId}" is not a ${type} id`);
  }
  return decoded.id;
}
