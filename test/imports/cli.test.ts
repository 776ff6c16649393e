import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFiles, parseArgs, presetOf, resultLine } from '../../src/imports/import.cli';

describe('import CLI arguments', () => {
  it('reads the flags of a single file and of a bundle', () => {
    expect(parseArgs(['--kind', 'touchpoints', '--file', 'a.csv', '--mode', 'create', '--atomic', '--errors', 'e.csv'])).toEqual({
      kind: 'touchpoints', file: 'a.csv', mode: 'CREATE', atomic: true, errors: 'e.csv',
    });
    expect(() => parseArgs(['--kind'])).toThrow('--kind needs a value');
    expect(() => parseArgs(['--force'])).toThrow('unknown argument --force');
  });

  it('takes a preset per kind for a bundle (--preset kind=name, repeated), over one for all files', () => {
    const args = parseArgs(['--bundle', 'dir', '--preset', 'leads=salesforce-leads', '--preset', 'accounts=salesforce-accounts', '--preset', 'hubspot-deals']);
    expect(args.presets).toEqual({ leads: 'salesforce-leads', accounts: 'salesforce-accounts' });
    expect([presetOf(args, 'leads'), presetOf(args, 'accounts'), presetOf(args, 'opportunities')]).toEqual(['salesforce-leads', 'salesforce-accounts', 'hubspot-deals']);
    expect(presetOf(parseArgs(['--kind', 'leads', '--file', 'a.csv']), 'leads')).toBeUndefined();
    expect(() => parseArgs(['--preset', 'leads=a', '--preset', 'leads=b'])).toThrow('--preset leads=... is given more than once');
    expect(() => parseArgs(['--preset', 'widgets=a'])).toThrow('--preset widgets=a: the kind is one of');
    expect(() => parseArgs(['--preset', 'leads='])).toThrow('name the preset');
    expect(() => parseArgs(['--preset', 'a', '--preset', 'b'])).toThrow('--preset without a kind is given once');
  });

  it('loads a bundle in dependency order, whatever the names sort as', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    for (const name of ['touchpoints.csv', 'users.csv', 'leads.jsonl', 'notes.txt', 'accounts.csv']) writeFileSync(join(dir, name), '');
    expect(bundleFiles(dir).map((f) => f.kind)).toEqual(['users', 'accounts', 'leads', 'touchpoints']);
  });

  it('prints each file as a sentence, or with --json as one JSON line of its counts, time and peak RSS', () => {
    expect(parseArgs(['--bundle', 'dir', '--json']).json).toBe(true);
    expect(parseArgs(['--bundle', 'dir']).json).toBeUndefined();
    const result = {
      kind: 'leads' as const, file: 'leads.csv', ms: 2500, peakRssBytes: 200 * 1024 * 1024,
      counts: { processed: 1000, created: 990, updated: 0, unchanged: 0, failed: 10 },
    };
    expect(resultLine(result, false)).toBe('leads (leads.csv): processed 1000, created 990, updated 0, unchanged 0, failed 10 in 2.5 s (400 rows/s)\n');
    const line = resultLine(result, true);
    expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      kind: 'leads', file: 'leads.csv', processed: 1000, created: 990, updated: 0, unchanged: 0, failed: 10, ms: 2500, rowsPerSecond: 400, peakRssBytes: 209715200,
    });
  });
});
