import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFiles, parseArgs } from '../../src/imports/import.cli';

describe('import CLI arguments', () => {
  it('reads the flags of a single file and of a bundle', () => {
    expect(parseArgs(['--kind', 'touchpoints', '--file', 'a.csv', '--mode', 'create', '--atomic', '--errors', 'e.csv'])).toEqual({
      kind: 'touchpoints', file: 'a.csv', mode: 'CREATE', atomic: true, errors: 'e.csv',
    });
    expect(() => parseArgs(['--kind'])).toThrow('--kind needs a value');
    expect(() => parseArgs(['--force'])).toThrow('unknown argument --force');
  });

  it('loads a bundle in dependency order, whatever the names sort as', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    for (const name of ['touchpoints.csv', 'users.csv', 'leads.jsonl', 'notes.txt', 'accounts.csv']) writeFileSync(join(dir, name), '');
    expect(bundleFiles(dir).map((f) => f.kind)).toEqual(['users', 'accounts', 'leads', 'touchpoints']);
  });
});
