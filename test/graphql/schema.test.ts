import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printAppSchema } from '../../src/graphql/schema';

/** The committed SDL is what frontend teams read and code against: it must be what the code serves. */
describe('committed schema', () => {
  it('equals the schema the code builds', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    const built = await printAppSchema();
    if (built !== committed) {
      const builtLines = built.split('\n');
      const committedLines = committed.split('\n');
      const line = builtLines.findIndex((text, i) => text !== committedLines[i]);
      throw new Error(
        `schema/schema.graphql is out of date (first difference at line ${line + 1}: ` +
          `code has ${JSON.stringify(builtLines[line])}, file has ${JSON.stringify(committedLines[line])}). ` +
          'Run `npm run schema` and commit schema/schema.graphql.',
      );
    }
    expect(built).toBe(committed);
  });
});
