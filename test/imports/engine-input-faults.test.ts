import { Readable } from 'node:stream';
import { importStream, ImportCounts, ImportFormat } from '../../src/imports/engine';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/*
 * An input that fails or is cut off in the middle of a file (an upload whose connection drops)
 * ends the import with that error: before, the parser waited for the rest of the file forever.
 */

describe('import engine: an input that fails or stops mid-file', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const FILES: Record<ImportFormat, string> = {
    csv: 'externalId,name,domain,segment\na-1,One,one.test,SMB\n',
    jsonl: '{"externalId":"a-1","name":"One","domain":"one.test","segment":"SMB"}\n',
  };

  /** Sends the first chunk of `text`, then fails (`error`) or is destroyed without one. */
  function cutOff(text: string, error: Error | null): Readable {
    let sent = false;
    return new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(Buffer.from(text));
          return;
        }
        setImmediate(() => this.destroy(error ?? undefined));
      },
    });
  }

  const run = (input: Readable, format: ImportFormat): Promise<ImportCounts | string> => {
    const settled = importStream(db.ds, input, { kind: 'accounts', format, actor: 'test', actorRole: 'ADMIN' }, () => undefined).then(
      (counts) => counts,
      (error: Error) => `rejected: ${error.message}`,
    );
    const hung = new Promise<string>((ok) => setTimeout(() => ok('still waiting after 5 s'), 5000).unref());
    return Promise.race([settled, hung]);
  };

  it.each(['csv', 'jsonl'] as const)('rejects a %s input that fails with its error', async (format) => {
    expect(await run(cutOff(FILES[format], new Error('connection reset by the client')), format)).toBe('rejected: connection reset by the client');
    expect(await db.sql(`SELECT count(*)::int AS n FROM accounts`)).toEqual([{ n: 0 }]);
  });

  it.each(['csv', 'jsonl'] as const)('rejects a %s input destroyed before its end', async (format) => {
    expect(await run(cutOff(FILES[format], null), format)).toBe('rejected: Premature close');
    expect(await db.sql(`SELECT count(*)::int AS n FROM accounts`)).toEqual([{ n: 0 }]);
  });
});
