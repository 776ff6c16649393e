import {
  defaultFieldResolver,
  getNamedType,
  getNullableType,
  GraphQLField,
  GraphQLFieldResolver,
  GraphQLInputType,
  GraphQLOutputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { emailPseudonym, pseudonymKeyOf } from '../bi/pseudonym-key';
import type { Context } from '../graphql/context';
import { ForbiddenError } from '../graphql/errors';
import { ANALYST_MASKED, ANALYST_REFUSED_ARGUMENTS, ANALYST_VISIBLE, Masking } from './analyst-fields';
import { Role } from './roles';

/**
 * Emails read as a keyed hash (src/bi/pseudonym-key.ts: PII_PSEUDONYM_KEY, else the database's
 * key, which the `bi` views hash with too), so a list of known emails cannot be hashed and
 * matched against them.
 */
export { emailPseudonym };

/** What a masked text reads as. */
export const REDACTED = '[redacted]';

/**
 * Roles that read personal data. Anything else (ANALYST, or a role value that is not a role at
 * all) reads it masked: the check fails closed.
 */
const SEES_PERSONAL_DATA: ReadonlySet<unknown> = new Set([Role.ADMIN, Role.REVENUE_OPS, Role.MARKETING, Role.SALES, Role.EXECUTIVE]);

/** Whether the caller of this request reads personal data unmasked. */
export function seesPersonalData(context: unknown): boolean {
  return SEES_PERSONAL_DATA.has((context as Context | null)?.actor?.role);
}

type Masker = (value: unknown, context: unknown) => unknown;

function mapStrings(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, mask));
  return value;
}

/**
 * How one field's value reads for ANALYST. Texts (String, ID) keep their shape: a pseudonym or
 * "[redacted]", an absent value stays absent. Other leaves read null, or [] for a required list;
 * a required non-list leaf has no honest stand-in: declared masked it is a schema error, undeclared
 * the field is refused (FORBIDDEN at its path).
 */
function maskerOf(coordinate: string, type: GraphQLOutputType, masking: Masking, declared: boolean): Masker {
  const named = getNamedType(type);
  if (named.name === 'String' || named.name === 'ID') {
    if (masking !== 'PSEUDONYM') return (value) => mapStrings(value, () => REDACTED);
    return (value, context) => {
      if (value === null || value === undefined) return value;
      const key = pseudonymKeyOf((context as Context | null)?.ds);
      const mask = (k: string) => mapStrings(value, (email) => emailPseudonym(email, k));
      return typeof key === 'string' ? mask(key) : key.then(mask);
    };
  }
  if (masking === 'PSEUDONYM') throw new Error(`${coordinate}: only a String field can read as a pseudonym`);
  if (!isNonNullType(type)) return () => null;
  if (isListType(getNullableType(type))) return () => [];
  if (declared) throw new Error(`${coordinate}: a masked field that is not text must be nullable (ANALYST callers read null)`);
  return () => {
    throw new ForbiddenError(`${coordinate} is not available to ANALYST callers`);
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function maskField(coordinate: string, field: GraphQLField<unknown, unknown>): void {
  const declared = ANALYST_MASKED.get(coordinate);
  const mask = maskerOf(coordinate, field.type, declared ?? 'REDACT', declared !== undefined);
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context, info) => {
    if (seesPersonalData(context)) return resolve(source, args, context, info);
    const value = resolve(source, args, context, info);
    return isPromiseLike(value) ? value.then((v) => mask(v, context)) : mask(value, context);
  };
  const stand = declared === 'PSEUDONYM' ? 'a stable pseudonym' : getNamedType(field.type).name === 'String' ? `"${REDACTED}"` : 'null';
  field.description = `${field.description ?? ''} Masked for ANALYST callers, who read ${stand}.`.trim();
}

/** One way an argument could probe masked data: the path to a value inside the arguments, and when it does. */
interface Probe {
  path: readonly string[];
  refuses: (value: unknown) => boolean;
  reveals: readonly string[];
}

const REFUSED_INPUTS = new Map(ANALYST_REFUSED_ARGUMENTS.flatMap((r) => (r.input ? [[r.input, r.reveals] as const] : [])));
const REFUSED_ENUM_VALUES = new Map(ANALYST_REFUSED_ARGUMENTS.flatMap((r) => (r.enumValue ? [[r.enumValue, r.reveals] as const] : [])));

/** Every probe reachable in an argument of `type`, through input objects (each once per path). */
function probesOf(type: GraphQLInputType, path: readonly string[], seen: ReadonlySet<string>, out: Probe[]): void {
  const named = getNamedType(type);
  if (isEnumType(named)) {
    for (const value of named.getValues()) {
      const reveals = REFUSED_ENUM_VALUES.get(`${named.name}.${value.name}`);
      if (reveals) out.push({ path, reveals, refuses: (v) => v === value.value });
    }
  } else if (isInputObjectType(named) && !seen.has(named.name)) {
    const inside = new Set([...seen, named.name]);
    for (const field of Object.values(named.getFields())) {
      const at = [...path, field.name];
      const reveals = REFUSED_INPUTS.get(`${named.name}.${field.name}`);
      if (reveals) out.push({ path: at, reveals, refuses: (v) => v != null });
      probesOf(field.type, at, inside, out);
    }
  }
}

/** Whether the value at `path` (through lists) is refused. */
function probed(value: unknown, path: readonly string[], depth: number, refuses: (v: unknown) => boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => probed(item, path, depth, refuses));
  if (depth === path.length) return refuses(value);
  if (value == null || typeof value !== 'object') return false;
  return probed((value as Record<string, unknown>)[path[depth] as string], path, depth + 1, refuses);
}

function refuseProbes(field: GraphQLField<unknown, unknown>): void {
  const probes: Probe[] = [];
  for (const arg of field.args) probesOf(arg.type, [arg.name], new Set(), probes);
  if (probes.length === 0) return;
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context, info) => {
    if (!seesPersonalData(context)) {
      for (const probe of probes) {
        if (probed(args, probe.path, 0, probe.refuses)) {
          throw new ForbiddenError(`ANALYST callers cannot search or order by personal data (${probe.reveals.join(', ')})`, probe.path.join('.'));
        }
      }
    }
    return resolve(source, args, context, info);
  };
}

/**
 * Applies the ANALYST allow-list to the whole schema, once, when it is built: every leaf field
 * not declared visible is wrapped to mask its value for callers that do not see personal data,
 * and every field whose arguments could search or order by masked data refuses them. Visible
 * fields are left as they are, so they cost nothing; a wrapped field costs callers that do see
 * personal data one Set lookup.
 */
export function maskForAnalyst(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (isLeafType(getNamedType(field.type)) && !ANALYST_VISIBLE.has(coordinate)) maskField(coordinate, field);
      refuseProbes(field);
    }
  }
  return schema;
}
