import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, graphqlSync } from 'graphql';
import { printAppSchema } from '../../src/graphql/schema';
import { DateTimeScalar, LocalDateScalar, RFC_3339_DATE_TIME } from '../../src/graphql/scalars';

/** Scalars that follow a standard say which (`@specifiedBy`), in the code and in the committed SDL clients generate from. */
describe('@specifiedBy on the scalars', () => {
  const EXPECTED: Record<string, string | undefined> = {
    DateTime: RFC_3339_DATE_TIME,
    LocalDate: RFC_3339_DATE_TIME,
    JSON: 'http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf',
    // no standard: the API's own decimal strings (documented in their descriptions)
    Money: undefined,
    Decimal: undefined,
  };

  it.each([
    ['the schema built from the code', () => printAppSchema()],
    ['the committed schema/schema.graphql', async () => readFileSync(join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8')],
  ])('%s names the standard of each scalar that has one', async (_, sdl) => {
    const schema = buildSchema(await sdl());
    const result = graphqlSync({ schema, source: `{ __schema { types { name kind specifiedByURL } } }` });
    expect(result.errors).toBeUndefined();
    const types = (result.data as { __schema: { types: { name: string; kind: string; specifiedByURL: string | null }[] } }).__schema.types;
    const scalars = Object.fromEntries(types.filter((t) => t.kind === 'SCALAR').map((t) => [t.name, t.specifiedByURL ?? undefined]));
    for (const [name, url] of Object.entries(EXPECTED)) expect({ name, url: scalars[name] }).toEqual({ name, url });
  });

  it('keeps what graphql-scalars parses and serializes', () => {
    // on the wire (JSON) a DateTime is an RFC 3339 date-time in UTC with milliseconds
    expect(JSON.stringify(DateTimeScalar.serialize(new Date('2025-03-31T12:00:00Z')))).toBe('"2025-03-31T12:00:00.000Z"');
    expect(DateTimeScalar.parseValue('2025-03-31T14:00:00+02:00')).toEqual(new Date('2025-03-31T12:00:00Z'));
    expect(() => DateTimeScalar.parseValue('2025-03-31 12:00')).toThrow();
    expect(LocalDateScalar.parseValue('2025-03-31')).toBe('2025-03-31');
    expect(() => LocalDateScalar.parseValue('2025-02-30')).toThrow();
  });
});
