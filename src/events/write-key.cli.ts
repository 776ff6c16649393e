import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { auditedOutsideRequest } from '../auth/api-key.service';
import { connectForCli } from '../db/cli-connection';
import { issueEventSource } from './event-sources';

const USAGE = `usage:
  npm run write-key -- create --name NAME     a new event source; its write key is printed once
  npm run write-key -- list
  npm run write-key -- revoke --id SOURCE_ID`;

/** Manages event sources (Segment-style write keys for POST /v1/*) from the shell. */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { name: { type: 'string' }, id: { type: 'string' } } });
  const command = positionals[0];
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'create' && !values.name?.trim()) {
    process.stderr.write('--name must name the source, e.g. --name website\n');
    return 2;
  }
  const { ds, close } = await connectForCli();
  try {
    if (command === 'create') {
      const { eventSource, writeKey } = await issueEventSource(ds, { name: values.name as string, createdBy: 'cli' });
      process.stdout.write(`created event source ${eventSource.id} (${eventSource.name}); its write key is shown only this once:\n${writeKey}\n`);
    } else if (command === 'list') {
      const rows = (await ds.query(`SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM event_sources ORDER BY id`)) as Record<string, unknown>[];
      for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    } else {
      const id = values.id && /^\d{1,18}$/.test(values.id) ? values.id : null;
      const rows = id
        ? ((await auditedOutsideRequest(ds, 'cli', 'revokeEventSource', (tx) =>
            tx.query(`UPDATE event_sources SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [id]),
          )) as [unknown[], number])
        : [[], 0];
      if (!rows[1]) {
        process.stderr.write(`no active event source with id ${values.id ?? '(none given)'}\n`);
        return 1;
      }
      process.stdout.write(`revoked event source ${values.id}\n`);
    }
    return 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
