import fc from 'fast-check';
import {
  getNamedType,
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';

/*
 * Hostile values for every GraphQL input type, generated from the schema itself so that
 * every argument of every operation is covered and new fields are fuzzed without edits.
 * Each field is mostly a value of its type (valid or hostile within the type), sometimes a
 * value of another type, so runs reach the resolvers as well as the coercion layer.
 */

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

export const INJECTIONS = [
  "'; DROP TABLE leads; --",
  "' OR '1'='1",
  '1; DELETE FROM accounts',
  "Robert'); DROP TABLE users;--",
  '%',
  '%%',
  '_',
  '\\',
  '\\%',
  "\\'",
  '*/ SELECT pg_sleep(10) /*',
  '{"$gt": ""}',
];

export const HOSTILE_STRINGS = [
  ...INJECTIONS,
  '',
  ' ',
  '\t\n',
  'x'.repeat(100_000),
  'é'.repeat(50_000),
  '\u0000',
  'a\u0000b',
  'nul\u0000@example.com',
  '\uD800', // lone surrogate
  '\uFEFF\u202Egnp.exe',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͕',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '../../etc/passwd',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
];

export const PLAUSIBLE_STRINGS = ['Acme', 'acme.com', 'lead@acme.com', 'Jane', 'Q3 webinar', 'note', 'x@y.io', 'www.example.org/path'];

export const HUGE_NUMBERS = [1e308, -1e308, 2 ** 63, -(2 ** 63), 2 ** 53 + 2, 2 ** 31, -(2 ** 31) - 1, 2147483647, -2147483648, -1, 0, 1.5, 5e-324];

export const INVALID_DATE_TIMES = [
  '2024-13-45T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '0000-00-00T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2024-01-01',
  '2024-01-01T25:61:61Z',
  'now',
  'yesterday',
  "2024-01-01T00:00:00Z'; DROP TABLE leads; --",
  '',
];

export const INVALID_LOCAL_DATES = ['2024-13-01', '2024-02-30', '0000-01-01', '9999-12-31', '2024-1-1', '20240101', '2024-01-01T00:00:00Z', 'today', ''];

export const HOSTILE_MONEY = [
  '1e308',
  '-0.01',
  '-1',
  '99999999999999999.99',
  '9999999999999999.99',
  '-9999999999999999.99',
  '1.999',
  'NaN',
  'Infinity',
  '0x10',
  ' 1.00',
  '1,000.00',
  "1.00'; DROP TABLE leads; --",
  1e308,
  -1,
  0.1 + 0.2,
];

export const HOSTILE_ENUMS = ['', 'mql', 'MQL ', 'ADMIN', 'DROP', "'; DROP TABLE leads; --", '__proto__', 'null', '0'];

/** Ids and cursors that look plausible but are not. */
export function bogusIds(validIds: string[]): string[] {
  return [
    '',
    '1',
    'null',
    b64('Lead:0'),
    b64('Lead:-1'),
    b64('Lead:99999999999999999999'),
    b64('Lead:9223372036854775808'),
    b64('Account:9223372036854775807'),
    b64('Account:1 OR 1=1'),
    b64("Account:1'; DROP TABLE accounts; --"),
    b64('Nope:1'),
    b64('__proto__:1'),
    b64('User:1\u0000'),
    '!!!not-base64!!!',
    b64('x'.repeat(300)),
    // a valid id with garbage appended
    ...validIds.slice(0, 3).map((id) => `${id}=`),
  ];
}

export function bogusCursors(): string[] {
  const cursor = (payload: unknown) => b64url(JSON.stringify(payload));
  return [
    '',
    'abc',
    b64url('not json'),
    cursor(null),
    cursor([]),
    cursor({ s: 'createdAt:ASC', v: "'; DROP TABLE leads; --", id: '1' }),
    cursor({ s: 'CREATED_AT:ASC', v: 'not a date', id: '1' }),
    cursor({ s: 'NAME:ASC', v: 'x'.repeat(10_000), id: '9999999999999999999' }),
    cursor({ s: 'AMOUNT:ASC', v: '1e400', id: '1' }),
    cursor({ s: 'STARTS_ON:ASC', v: '2024-02-30', id: '1' }),
    cursor({ s: 'NAME:ASC', v: 'a\u0000b', id: '1' }),
    cursor({ s: 'CREATED_AT:ASC', v: '2024-01-01', id: '-1' }),
    cursor({ s: 'version:DESC', v: '99999999999', id: '1' }),
    cursor({ s: 'occurredAt:ASC', v: '2024-01-01T00:00:00Z', id: 1 }),
  ];
}

export interface FuzzPools {
  /** Global ids of the fixture rows (of every type). */
  validIds: string[];
  /** One id of each type ("Account", "Lead", ..., "ApiKey"), for values that must be right. */
  idOf: Record<string, string>;
}

type Arb = fc.Arbitrary<unknown>;

/** Values of some other GraphQL type than the one asked for. */
export const WRONG_TYPES: unknown[] = [{}, [], [[['deep']]], true, 1e308, 'x', { $gt: '' }, JSON.parse('{"__proto__": {"polluted": true}}')];

/** A value of some other GraphQL type than the one asked for. */
const wrongType: Arb = fc.oneof(
  fc.constant({}),
  fc.constant([]),
  fc.constant([[['deep']]]),
  fc.boolean(),
  fc.constantFrom(...HUGE_NUMBERS),
  fc.constant('x'),
  fc.constant({ $gt: '' }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
);

function validDateTime(): fc.Arbitrary<string> {
  return fc
    .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2031-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString());
}

/** Date-times the DateTime scalar accepts that sit at the edges of what PostgreSQL and JS take. */
export const EDGE_DATE_TIMES = ['0001-01-01T00:00:00Z', '1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '2024-02-29T23:59:59.999+14:00'];
export const EDGE_LOCAL_DATES = ['0001-01-01', '1000-01-01', '9999-12-31', '2024-02-29'];
/** Money the scalar accepts: negative, the largest NUMERIC(18,2), zero. */
export const EDGE_MONEY = ['-0.01', '-1', '9999999999999999.99', '-9999999999999999.99', '0', '0.00', '1000', 0.5, 7];
export const EDGE_INTS = [2147483647, -2147483648, -1, 0, 1_000_000_001];
export const EDGE_FLOATS = [1e308, -1e308, 5e-324, -0.000001, 0, 1e15];

/**
 * `typed`: values GraphQL coerces to the type (hostile inside it: injections, NUL, 100k chars,
 * extreme numbers and dates, bogus ids), so the call reaches the resolvers. Otherwise also values
 * the type refuses (invalid dates, money floats and exponents, out-of-range ints).
 */
function scalarArb(name: string, argName: string, pools: FuzzPools, typed: boolean): Arb {
  const untyped = typed ? 0 : 2;
  switch (name) {
    case 'String': {
      const cursorLike = /^(after|before)$/.test(argName);
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
        { weight: 2, arbitrary: fc.constantFrom(...PLAUSIBLE_STRINGS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
        { weight: cursorLike ? 4 : 0, arbitrary: fc.constantFrom(...bogusCursors()) },
      );
    }
    case 'Int':
      return fc.oneof(
        { weight: 2, arbitrary: fc.integer({ min: -5, max: 120 }) },
        { weight: 1, arbitrary: fc.integer() },
        { weight: 1, arbitrary: fc.constantFrom(...EDGE_INTS) },
        { weight: untyped, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
      );
    case 'Float':
      return fc.oneof(
        fc.double({ min: -10, max: 200, noNaN: true }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(...EDGE_FLOATS),
      );
    case 'Boolean':
      return fc.boolean();
    case 'ID':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...pools.validIds) },
        { weight: 3, arbitrary: fc.constantFrom(...bogusIds(pools.validIds)) },
        { weight: 1, arbitrary: fc.constantFrom(...INJECTIONS, 1, 2 ** 53 - 1, -1) },
      );
    case 'DateTime':
      return fc.oneof(
        { weight: 3, arbitrary: validDateTime() },
        { weight: 1, arbitrary: fc.constantFrom(...EDGE_DATE_TIMES) },
        { weight: untyped, arbitrary: fc.constantFrom(...INVALID_DATE_TIMES, 0, 1e308, -1) },
      );
    case 'LocalDate':
      return fc.oneof(
        { weight: 3, arbitrary: validDateTime().map((v) => v.slice(0, 10)) },
        { weight: 1, arbitrary: fc.constantFrom(...EDGE_LOCAL_DATES) },
        { weight: untyped, arbitrary: fc.constantFrom(...INVALID_LOCAL_DATES) },
      );
    case 'Money':
      return fc.oneof(
        { weight: 2, arbitrary: fc.tuple(fc.nat({ max: 9_999_999 }), fc.nat({ max: 99 })).map(([a, c]) => `${a}.${String(c).padStart(2, '0')}`) },
        { weight: 1, arbitrary: fc.constantFrom(...EDGE_MONEY) },
        { weight: untyped, arbitrary: fc.constantFrom(...HOSTILE_MONEY) },
      );
    case 'JSON':
      return fc.jsonValue({ maxDepth: 3 });
    default:
      return fc.constantFrom(...HOSTILE_STRINGS);
  }
}

/**
 * Values for an input of `type`. Typed: always of the type (hostile within it), so the call gets
 * past coercion. Untyped: sometimes null for a required value, a value of another type, a
 * missing required field or an unknown one. `argName` picks cursors for after/before.
 */
export function inputArb(type: GraphQLInputType, pools: FuzzPools, typed: boolean, argName = '', depth = 0): Arb {
  if (isNonNullType(type)) {
    const inner = inputArb(type.ofType, pools, typed, argName, depth).filter((v) => v !== null);
    return typed ? inner : fc.oneof({ weight: 20, arbitrary: inner }, { weight: 1, arbitrary: fc.oneof(wrongType, fc.constant(null)) });
  }
  const value = valueArb(type, pools, typed, argName, depth);
  return fc.oneof({ weight: 14, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }, { weight: typed ? 0 : 1, arbitrary: wrongType });
}

function valueArb(type: GraphQLInputType, pools: FuzzPools, typed: boolean, argName: string, depth: number): Arb {
  if (isListType(type)) {
    const item = inputArb(type.ofType, pools, typed, argName, depth + 1);
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: 3 }) },
      // a long list (of one small value: a request body is at most 1 MB over HTTP)
      { weight: 1, arbitrary: item.map((v) => (JSON.stringify(v ?? null).length <= 200 ? Array.from({ length: 250 }, () => v) : [v])) },
      // a single value where a list is expected (GraphQL coerces it to a list of one)
      { weight: 1, arbitrary: item },
    );
  }
  if (isEnumType(type)) {
    const values = fc.constantFrom(...type.getValues().map((v) => v.name));
    return fc.oneof({ weight: 4, arbitrary: values }, { weight: typed ? 0 : 1, arbitrary: fc.constantFrom(...HOSTILE_ENUMS) });
  }
  if (isScalarType(type)) return scalarArb(type.name, argName, pools, typed);
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant({});
    const fields = Object.values(type.getFields());
    const model: Record<string, Arb> = {};
    for (const field of fields) model[field.name] = inputArb(field.type, pools, typed, field.name, depth + 1);
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
    const complete = fc.record(model, { requiredKeys: required });
    if (typed) return complete;
    return fc.oneof(
      { weight: 10, arbitrary: complete },
      // a required field missing, or a field the type does not have
      { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      { weight: 1, arbitrary: complete.map((v) => ({ ...v, notAField: "'; DROP TABLE leads; --" })) },
    );
  }
  return wrongType;
}

/**
 * Variables for the arguments of a field, as a client would send them (JSON, no undefined):
 * three in four of the type's shape (reaching the resolvers), one in four anything.
 */
export function argsArb(field: GraphQLField<unknown, unknown>, pools: FuzzPools): fc.Arbitrary<Record<string, unknown>> {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined).map((a) => a.name);
  const record = (typed: boolean) => {
    const model: Record<string, Arb> = {};
    for (const arg of field.args) model[arg.name] = inputArb(arg.type, pools, typed, arg.name);
    return fc.record(model, { requiredKeys: required });
  };
  return fc
    .oneof({ weight: 3, arbitrary: record(true) }, { weight: 1, arbitrary: record(false) })
    .map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>);
}

const typeString = (type: GraphQLInputType): string => String(type);

/** `$a: T!, $b: U` and `a: $a, b: $b` for a field's arguments. */
export function argumentLists(field: GraphQLField<unknown, unknown>, prefix = ''): { declarations: string; uses: string } {
  if (!field.args.length) return { declarations: '', uses: '' };
  return {
    declarations: field.args.map((a) => `$${prefix}${a.name}: ${typeString(a.type)}`).join(', '),
    uses: `(${field.args.map((a) => `${a.name}: $${prefix}${a.name}`).join(', ')})`,
  };
}

const requiresArgs = (field: GraphQLField<unknown, unknown>) => field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/**
 * A selection of `type`: every leaf field, nested objects to `depth`, connections with their
 * edges' leaf fields (only near the top, to keep the cost bounded). Fields needing arguments are left out.
 */
export function selectionOf(type: GraphQLNamedType, depth: number): string {
  if (isLeafType(type)) return '';
  if (isUnionType(type) || isInterfaceType(type)) return '{ __typename ... on Node { id } }';
  if (!isObjectType(type)) return '';
  const parts: string[] = ['__typename'];
  for (const field of Object.values((type as GraphQLObjectType).getFields())) {
    if (requiresArgs(field)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (named.name.endsWith('Connection')) {
      if (depth >= 1) parts.push(`${field.name}(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node ${leavesOf(named)} } }`);
    } else if (depth >= 1) parts.push(`${field.name} ${selectionOf(named, depth - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

function leavesOf(type: GraphQLNamedType): string {
  const edge = isObjectType(type) ? getNamedType(type.getFields().edges?.type ?? type) : type;
  const node = isObjectType(edge) ? getNamedType(edge.getFields().node?.type ?? edge) : edge;
  return selectionOf(node, 0);
}
