import {
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import {
  bogusCursors,
  bogusIds,
  EDGE_DATE_TIMES,
  EDGE_FLOATS,
  EDGE_INTS,
  EDGE_LOCAL_DATES,
  EDGE_MONEY,
  FuzzPools,
  HOSTILE_ENUMS,
  HOSTILE_MONEY,
  HUGE_NUMBERS,
  INVALID_DATE_TIMES,
  INVALID_LOCAL_DATES,
  WRONG_TYPES,
} from './fuzz-arbitraries';

/*
 * The systematic half of the fuzzing: a valid request, then one argument field at a time
 * replaced by each hostile value of its kind. Random combinations (fuzz-arbitraries.ts) rarely
 * put a NUL byte exactly in `filter.search`; this sweep puts every hostile value in every field.
 */

type Path = (string | number)[];

export interface Leaf {
  /** Where the value sits in the variables: ["filter", "createdAt", "from"], ["input", "contactIds", 0]. */
  path: Path;
  /** GraphQL type of the value (scalar or enum). */
  type: GraphQLNamedType;
}

/** The core hostile strings: injection, LIKE wildcards, escapes, NUL, 100k chars, bad unicode, blank. */
const SWEEP_STRINGS = [
  "'; DROP TABLE leads; --",
  '%',
  '_%\\',
  'a\u0000b',
  'x'.repeat(100_000),
  '\uD800',
  '\u202E👩‍👩‍👧‍👦',
  '',
  '   ',
];

/** Every scalar or enum field reachable in a field's arguments (list items as index 0; nesting bounded). */
export function leavesOf(field: GraphQLField<unknown, unknown>): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (type: GraphQLInputType, path: Path, depth: number) => {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) return walk(inner.ofType, [...path, 0], depth);
    if (isInputObjectType(inner)) {
      if (depth > 4) return;
      for (const child of Object.values(inner.getFields())) walk(child.type, [...path, child.name], depth + 1);
      return;
    }
    if (isScalarType(inner) || isEnumType(inner)) leaves.push({ path, type: inner });
  };
  for (const arg of field.args) walk(arg.type, [arg.name], 0);
  return leaves;
}

/** The hostile values to try in a leaf: of its kind (reaching the resolver) and of other kinds. */
export function hostileValuesFor(leaf: Leaf, pools: FuzzPools): unknown[] {
  const name = String(leaf.path[leaf.path.length - 1]);
  const common = [null, ...WRONG_TYPES.slice(0, 3)];
  if (isEnumType(leaf.type)) return [...HOSTILE_ENUMS.slice(0, 4), ...common];
  switch (leaf.type.name) {
    case 'String':
      return [...SWEEP_STRINGS, ...(name === 'after' || name === 'before' ? bogusCursors() : []), ...common];
    case 'ID':
      // every other bogus id, and valid ids of two types (one of them the wrong type here)
      return [...bogusIds(pools.validIds).filter((_id, i) => i % 2 === 0), pools.idOf.User, pools.idOf.AlignmentAgreement, 2 ** 53 - 1, ...common];
    case 'Int':
      return [...EDGE_INTS, ...HUGE_NUMBERS.slice(0, 4), ...common];
    case 'Float':
      return [...EDGE_FLOATS, 'NaN', ...common];
    case 'DateTime':
      return [...EDGE_DATE_TIMES, ...INVALID_DATE_TIMES.slice(0, 7), 0, ...common];
    case 'LocalDate':
      return [...EDGE_LOCAL_DATES, ...INVALID_LOCAL_DATES.slice(0, 4), ...common];
    case 'Money':
      return [...EDGE_MONEY, ...HOSTILE_MONEY.slice(0, 6), ...common];
    default:
      return [...SWEEP_STRINGS.slice(0, 4), ...common];
  }
}

let serial = 0;

/** Node type of an id field or root field, by the start of its name. */
const ID_TYPES: Record<string, string> = {
  account: 'Account',
  lead: 'Lead',
  campaign: 'Campaign',
  opportunity: 'Opportunity',
  agreement: 'AlignmentAgreement',
  contact: 'Lead',
  node: 'Lead',
};

/** A valid value for a leaf, by its name (an email for `email`, an Account id for `accountId`, ...). */
function validLeaf(type: GraphQLNamedType, name: string, parent: string, pools: FuzzPools): unknown {
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    // the stage a lead or deal is created in must be an opening one; a grain or model any
    return values.includes('PROSPECTING') ? 'PROSPECTING' : values.includes('NEW') && parent.startsWith('Create') ? 'NEW' : values[0];
  }
  const id = (typeName: string) => pools.idOf[typeName] ?? pools.validIds[0];
  switch (type.name) {
    case 'String':
      if (name === 'email') return `fuzz${process.pid}n${++serial}@example.com`;
      if (name === 'domain') return `fuzz${process.pid}n${++serial}.example.com`;
      if (name === 'externalId') return `fuzz-${process.pid}-${++serial}`;
      return 'Fuzz value';
    case 'ID': {
      const named = /^(account|lead|campaign|opportunity|agreement|contact)/.exec(name)?.[1];
      if (named) return id(ID_TYPES[named] ?? 'Account');
      if (name !== 'id') return id('User'); // ownerId, approverId, givenById, ...
      // `id` of an update input, or of a root field (`lead(id:)`)
      const target = /^(?:Update|Revoke)(\w+?)(?:Key)?Input$/.exec(parent)?.[1] ?? ID_TYPES[parent];
      return id(target === 'Api' ? 'ApiKey' : (target ?? 'Account'));
    }
    case 'Int':
      return name === 'version' ? undefined : 1;
    case 'Float':
      return name === 'halfLifeDays' ? 7 : 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return name === 'to' ? '2024-01-01T00:00:00.000Z' : '2023-01-01T00:00:00.000Z';
    case 'LocalDate':
      return name === 'endsOn' || name === 'to' ? '2023-12-31' : '2023-01-01';
    case 'Money':
      return '100.00';
    default:
      return 'x';
  }
}

/**
 * A valid value of `type` holding `hostile` at `target` (a path inside it); with no target, only
 * the required fields, with valid values.
 */
function build(type: GraphQLInputType, name: string, parent: string, target: Path | null, hostile: unknown, pools: FuzzPools): unknown {
  if (target && target.length === 0) return hostile;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [build(inner.ofType, name, parent, target ? target.slice(1) : null, hostile, pools)];
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      const targeted = target?.[0] === field.name;
      const required = isNonNullType(field.type) && field.defaultValue === undefined;
      if (!targeted && !required) continue;
      value[field.name] = build(field.type, field.name, inner.name, targeted && target ? target.slice(1) : null, hostile, pools);
    }
    return value;
  }
  return isScalarType(inner) || isEnumType(inner) ? validLeaf(inner, name, parent, pools) : null;
}

/** Variables of a field's arguments: valid, except `hostile` at `leaf`. */
export function variablesWith(field: GraphQLField<unknown, unknown>, leaf: Leaf, hostile: unknown, pools: FuzzPools): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const arg of field.args) {
    const targeted = leaf.path[0] === arg.name;
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    if (!targeted && !required) continue;
    variables[arg.name] = build(arg.type, arg.name, field.name, targeted ? leaf.path.slice(1) : null, hostile, pools);
  }
  return JSON.parse(JSON.stringify(variables)) as Record<string, unknown>;
}
