import { getNamedType, getNullableType, GraphQLArgument, GraphQLInputType, isInputObjectType, isListType } from 'graphql';
import { MAX_VARIABLES_DEPTH, withinDepth } from '../http/json-depth';

/**
 * The URL's query parameters as the variables of the export's GraphQL operation. Each
 * parameter names an argument of the field (`filter`, `input`), or a field inside one by dotted
 * name (`input.window.from`); an input object may also be given whole as JSON text
 * (`input={"window":...}`), a list as repeated parameters, comma-separated values or JSON text.
 * Values stay text except where the type says number or boolean: GraphQL then coerces and
 * validates them exactly as it does for /graphql, and its errors name the same fields.
 */

/** A refused export request, answered with its status and a GraphQL-shaped error naming `field`. */
export class ExportRequestError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly status = 400,
    readonly code = status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT',
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface ExportOptions {
  /** Time series: every period × key of the window (the default), or only the rows the API answers. */
  dense: boolean;
}

export interface ParsedRequest {
  variables: Record<string, unknown>;
  options: ExportOptions;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function json(field: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportRequestError(field, 'is not valid JSON text');
  }
  if (!withinDepth(value, MAX_VARIABLES_DEPTH)) throw new ExportRequestError(field, `nests deeper than ${MAX_VARIABLES_DEPTH} levels`);
  return value;
}

/** One parameter's value(s) for an input of `type`. */
function valueOf(type: GraphQLInputType, values: readonly string[], field: string): unknown {
  const nullable = getNullableType(type);
  const named = getNamedType(type);
  if (isListType(nullable)) {
    if (values.length === 1 && values[0]!.trimStart().startsWith('[')) return json(field, values[0]!);
    const item = nullable.ofType as GraphQLInputType;
    // texts keep their commas; names, numbers and ids are split on them
    const split = named.name === 'String' || isInputObjectType(named) ? values : values.flatMap((v) => v.split(','));
    return split.map((v) => valueOf(item, [v], field));
  }
  if (values.length > 1) throw new ExportRequestError(field, 'is given more than once');
  const text = values[0] ?? '';
  if (isInputObjectType(named)) {
    if (!text.trimStart().startsWith('{')) throw new ExportRequestError(field, `must be a JSON object (${named.name}), or given field by field with dotted names`);
    return json(field, text);
  }
  if ((named.name === 'Int' || named.name === 'Float') && NUMBER.test(text)) return Number(text);
  if (named.name === 'Boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function booleanOption(field: string, values: readonly string[]): boolean {
  if (values.length !== 1 || (values[0] !== 'true' && values[0] !== 'false')) throw new ExportRequestError(field, 'must be true or false');
  return values[0] === 'true';
}

/** Sets `value` at `path` inside the argument's object, creating the objects on the way. */
function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown, field: string): void {
  let at = target;
  path.slice(0, -1).forEach((name) => {
    const next = at[name];
    if (next === undefined) at = at[name] = {};
    else if (next !== null && typeof next === 'object' && !Array.isArray(next)) at = next as Record<string, unknown>;
    else throw new ExportRequestError(field, 'is given twice (as a value and field by field)');
  });
  const last = path[path.length - 1]!;
  if (at[last] !== undefined) throw new ExportRequestError(field, 'is given twice (as JSON text and by a dotted name)');
  at[last] = value;
}

/** Reads the URL's parameters against the export's arguments (and its options). */
export function parseExportRequest(params: URLSearchParams, args: readonly GraphQLArgument[], allows: { dense: boolean }): ParsedRequest {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of params) grouped.set(name, [...(grouped.get(name) ?? []), value]);
  const options: ExportOptions = { dense: true };
  const variables: Record<string, unknown> = {};
  // whole arguments first, so dotted names can add to an argument given as JSON text
  const names = [...grouped.keys()].sort((a, b) => Number(a.includes('.')) - Number(b.includes('.')));
  for (const name of names) {
    const values = grouped.get(name)!;
    if (name === 'dense' && allows.dense) {
      options.dense = booleanOption(name, values);
      continue;
    }
    const [argName = '', ...rest] = name.split('.');
    const arg = args.find((a) => a.name === argName);
    if (!arg) {
      const known = [...args.map((a) => a.name), ...(allows.dense ? ['dense'] : [])];
      throw new ExportRequestError(name, `is not an argument of this export (it takes: ${known.join(', ') || 'none'})`);
    }
    if (rest.length === 0) {
      const value = valueOf(arg.type, values, name);
      const before = variables[arg.name];
      if (before !== undefined) throw new ExportRequestError(name, 'is given twice (as JSON text and by dotted names)');
      variables[arg.name] = value;
      continue;
    }
    let type: GraphQLInputType = arg.type;
    for (const [i, step] of rest.entries()) {
      const named = getNamedType(type);
      if (isListType(getNullableType(type)) || !isInputObjectType(named)) {
        throw new ExportRequestError(name, `cannot be given by a dotted name: ${[argName, ...rest.slice(0, i)].join('.')} is not an input object (give it as JSON text)`);
      }
      const fields = named.getFields();
      const field = Object.hasOwn(fields, step) ? fields[step] : undefined;
      if (!field) throw new ExportRequestError(name, `is not a field of ${named.name} (its fields: ${Object.keys(named.getFields()).join(', ')})`);
      type = field.type;
    }
    const holder = (variables[arg.name] ??= {}) as unknown;
    if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) throw new ExportRequestError(name, `${argName} is not an input object`);
    setAt(holder as Record<string, unknown>, rest, valueOf(type, values, name), name);
  }
  return { variables, options };
}
