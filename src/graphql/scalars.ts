import { GraphQLError, GraphQLScalarType, Kind, ValueNode } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';

const MONEY_PATTERN = /^-?\d{1,16}(\.\d{1,2})?$/;

function parseMoney(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !MONEY_PATTERN.test(text)) {
    throw new GraphQLError(
      `Money must be a decimal string with at most 16 integer digits and 2 decimals, such as "1250.50"; got ${JSON.stringify(value)}`,
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
  }
  return text;
}

/** An exact amount of money: a decimal string, never a float ("1250.50"). */
export const MoneyScalar = new GraphQLScalarType<string, string>({
  name: 'Money',
  description: 'An exact amount of money as a decimal string with two decimals, such as "1250.50". Never a float.',
  serialize(value) {
    // amounts come from NUMERIC columns or SQL already rounded to cents; a float here is a bug
    if (typeof value === 'string' && /^-?\d+(\.\d{1,2})?$/.test(value)) return normaliseMoney(value);
    throw new GraphQLError(`Money cannot serialize ${JSON.stringify(value)}: expected a decimal string in cents`);
  },
  parseValue: parseMoney,
  parseLiteral(ast: ValueNode) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseMoney(ast.value);
    throw new GraphQLError('Money must be given as a decimal string such as "1250.50"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});

/** Pads a NUMERIC string to two decimals without going through a float. */
export function normaliseMoney(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  return `${whole}.${(fraction + '00').slice(0, 2)}`;
}

/** Where the standard a scalar follows is written (`@specifiedBy` in the SDL, so clients and code generators can tell). */
export const RFC_3339_DATE_TIME = 'https://datatracker.ietf.org/doc/html/rfc3339#section-5.6';

/** graphql-scalars' DateTime (an RFC 3339 date-time, e.g. "2025-03-31T12:00:00.000Z"), pointing to its standard. */
export const DateTimeScalar = new GraphQLScalarType({ ...DateTimeResolver.toConfig(), specifiedByURL: RFC_3339_DATE_TIME });
/** graphql-scalars' LocalDate (an RFC 3339 full-date, e.g. "2025-03-31"), pointing to its standard. */
export const LocalDateScalar = new GraphQLScalarType({ ...LocalDateResolver.toConfig(), specifiedByURL: RFC_3339_DATE_TIME });

const DECIMAL_PATTERN = /^-?\d{1,30}(\.\d{1,30})?$/;

/** A NUMERIC string without trailing fractional zeros ("12.500" -> "12.5", "3.000" -> "3", "-0.0" -> "0"). */
export function trimDecimal(value: string): string {
  let text = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  if (/^-0*$/.test(text)) text = '0';
  return text;
}

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL_PATTERN.test(text)) {
    throw new GraphQLError(`Decimal must be a decimal string such as "12.5" or "-3" (no exponent); got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return text;
}

/** An exact decimal number (scores, points): a decimal string with trailing fractional zeros trimmed ("12.5"), never a float. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'An exact decimal number as a string, such as "12.5", "-3" or "0.707106781187": computed in PostgreSQL numeric arithmetic, trailing fractional zeros trimmed. Never a float.',
  serialize(value) {
    // values come from NUMERIC columns or SQL as text; a float here would be a bug
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return trimDecimal(value);
    throw new GraphQLError(`Decimal cannot serialize ${JSON.stringify(value)}: expected a decimal string`);
  },
  parseValue: parseDecimal,
  parseLiteral(ast: ValueNode) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be given as a decimal string such as "12.5"', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
