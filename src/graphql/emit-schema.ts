import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printAppSchema } from './schema';

/** Writes schema/schema.graphql (npm run schema); a test fails when it differs from the code. */
async function main(): Promise<void> {
  const dir = join(__dirname, '..', '..', '..', 'schema');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'schema.graphql'), await printAppSchema());
  process.stdout.write('wrote schema/schema.graphql\n');
}

void main();
