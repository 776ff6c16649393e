import { Writable } from 'node:stream';
import { buildSchema, getVariableValues, GraphQLError, OperationDefinitionNode, parse } from 'graphql';
import pino from 'pino';
import { BadInputError, ConflictError, NotFoundError } from '../../src/graphql/errors';
import { makeFormatError } from '../../src/graphql/format-error';

/** A logger that keeps every line it writes, to see what the server logged. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('error formatting', () => {
  it('masks an unexpected error and logs it with its stack', () => {
    const { logger, lines } = capturingLogger();
    const format = makeFormatError(logger);
    const secret = new Error('connection to 10.0.0.7 refused: password authentication failed for "svc"');
    const wrapped = new GraphQLError(secret.message, { path: ['accounts'], originalError: secret });
    const out = format({ message: secret.message, path: ['accounts'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['x'] } }, wrapped);
    expect(out).toEqual({
      message: 'Internal server error',
      locations: undefined,
      path: ['accounts'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(out)).not.toContain('10.0.0.7');
    expect(lines).toHaveLength(1);
    const err = lines[0]?.err as { message: string; stack: string };
    expect(err.message).toBe(secret.message);
    expect(err.stack).toContain('format-error.test.ts');
  });

  it('masks a plain Error given directly (not wrapped in a GraphQLError)', () => {
    const { logger, lines } = capturingLogger();
    const out = makeFormatError(logger)({ message: 'boom' }, new Error('boom'));
    expect(out.message).toBe('Internal server error');
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect((lines[0]?.err as { stack: string }).stack).toMatch(/Error: boom/);
  });

  it.each([
    [new BadInputError('input.amount', 'must not be negative'), 'BAD_USER_INPUT'],
    [new NotFoundError('input.accountId', 'Account', '7'), 'NOT_FOUND'],
    [new ConflictError('input.version', 'stale'), 'CONFLICT'],
  ])('passes an expected error through with its code and field, and logs nothing (%s)', (error, code) => {
    const { logger, lines } = capturingLogger();
    const formatted = { message: error.message, extensions: { ...error.extensions, stacktrace: ['at secret.ts:1'] } };
    const out = makeFormatError(logger)(formatted, error);
    expect(out.message).toBe(error.message);
    expect(out.extensions).toEqual({ code, field: error.extensions.field });
    expect(lines).toHaveLength(0);
  });

  describe('names the field of a variable that failed coercion (malformed date, unknown enum value)', () => {
    // the messages graphql-js itself produces, which Apollo sends with code BAD_USER_INPUT
    const schema = buildSchema(`
      scalar DateTime
      enum Segment { SMB ENTERPRISE }
      input Range { from: DateTime }
      input NewAccount { name: String! segment: Segment tags: [Segment!] range: Range }
      type Query { ping(input: NewAccount, n: Int): Int }
    `);
    const coercionErrors = (variables: Record<string, unknown>, maxErrors?: number) => {
      const operation = parse(`query($input: NewAccount!, $n: Int) { ping(input: $input, n: $n) }`).definitions[0] as OperationDefinitionNode;
      const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors });
      return 'errors' in result && result.errors ? result.errors : [];
    };
    const fieldOf = (variables: Record<string, unknown>) => {
      const [error] = coercionErrors(variables);
      if (!error) throw new Error('expected a coercion error');
      const out = makeFormatError(capturingLogger().logger)({ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }, error);
      expect(out.message).toBe(error.message);
      return out.extensions?.field;
    };

    it.each([
      [{ input: { name: 'x', segment: 'HUGE' } }, 'input.segment'],
      [{ input: { name: 'x', tags: ['SMB', 'HUGE'] } }, 'input.tags[1]'],
      [{ input: { name: 'x', range: 5 } }, 'input.range'],
      [{ input: { segment: 'SMB' } }, 'input.name'],
      [{ input: { name: 'x', colour: 'red' } }, 'input.colour'],
      [{ input: { name: 'x' }, n: 'seven' }, 'n'],
      [{}, 'input'],
      [{ input: null }, 'input'],
    ])('%j -> %s', (variables, field) => {
      expect(fieldOf(variables)).toBe(field);
    });

    it('keeps the error graphql-js adds after too many bad values a BAD_USER_INPUT, not an internal error', () => {
      const { logger, lines } = capturingLogger();
      const errors = coercionErrors({ input: { name: 'x', tags: Array.from({ length: 5 }, () => 'HUGE') } }, 3);
      const last = errors[errors.length - 1]!;
      expect(last.message).toBe('Too many errors processing variables, error limit reached. Execution aborted.');
      const out = makeFormatError(logger)({ message: last.message }, last);
      expect(out).toEqual({ message: last.message, extensions: { code: 'BAD_USER_INPUT' } });
      expect(lines).toHaveLength(0);
    });
  });
});
