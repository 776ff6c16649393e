import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { connectForCli } from '../db/cli-connection';
import { fromGlobalId } from '../graphql/node';
import { auditedOutsideRequest, issueApiKey } from './api-key.service';
import { Role } from './roles';

const USAGE = `usage:
  npm run apikey -- create --role ROLE [--name NAME] [--user USER_ID]
  npm run apikey -- list
  npm run apikey -- revoke --id KEY_ID
roles: ${Object.values(Role).join(', ')}`;

/** Manages API keys from the shell (the first ADMIN key has to come from somewhere). */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, user: { type: 'string' }, id: { type: 'string' } },
  });
  const command = positionals[0];
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'create' && !(values.role && values.role in Role)) {
    process.stderr.write(`--role must be one of ${Object.values(Role).join(', ')}\n`);
    return 2;
  }
  const { ds, close } = await connectForCli();
  try {
    if (command === 'create') {
      const role = values.role as Role;
      const userId = values.user ? (fromGlobalId(values.user)?.id ?? values.user) : null;
      const { apiKey, secret } = await issueApiKey(ds, { name: values.name ?? `${role.toLowerCase()} key`, role, userId, createdBy: 'cli' });
      process.stdout.write(`created API key ${apiKey.id} (${role}); it is shown only this once:\n${secret}\n`);
    } else if (command === 'list') {
      const rows = (await ds.query(
        `SELECT id, name, role, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id`,
      )) as Record<string, unknown>[];
      for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    } else {
      const id = values.id && /^\d{1,18}$/.test(values.id) ? values.id : null;
      const rows = id
        ? ((await auditedOutsideRequest(ds, 'cli', 'revokeApiKey', (tx) =>
            tx.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [id]),
          )) as [unknown[], number])
        : [[], 0];
      if (!rows[1]) {
        process.stderr.write(`no active API key with id ${values.id}\n`);
        return 1;
      }
      process.stdout.write(`revoked API key ${values.id}\n`);
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
