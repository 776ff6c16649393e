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

export const DateTimeScalar = DateTimeResolver;
export const LocalDateScalar = LocalDateResolver;
