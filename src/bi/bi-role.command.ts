import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { BiRoleError, createBiLogin, dropBiLogin, listBiLogins, loginUrl, rotateBiLogin } from './bi-roles';
import { storePseudonymKey } from './pseudonym-key';

const USAGE = `usage:
  npm run bi-role -- create --name NAME    a read-only login for one BI tool (prints its password once)
  npm run bi-role -- list                  the BI logins of this database
  npm run bi-role -- rotate --name NAME    a new password for a login (prints it once)
  npm run bi-role -- drop --name NAME      drops a login and ends its sessions
  npm run bi-role -- sync-key              stores PII_PSEUDONYM_KEY as the database's pseudonym key
NAME: 1 to 26 characters of a-z, 0-9 and _, starting with a letter (e.g. metabase)
The database is DATABASE_URL's, or the embedded one of npm start. docs/bi.md says how to connect.`;

const COMMANDS = ['create', 'list', 'rotate', 'drop', 'sync-key'] as const;
type Command = (typeof COMMANDS)[number];

/**
 * With PII_PSEUDONYM_KEY set, the API hashes emails with it: the database keeps the same key so
 * the bi views' pseudonyms equal the API's. Every command that makes a login stores it.
 */
async function syncKeyFromEnv(ds: DataSource, out: CommandOutput): Promise<void> {
  const key = process.env.PII_PSEUDONYM_KEY;
  if (key && (await storePseudonymKey(ds, key))) out.stdout('stored PII_PSEUDONYM_KEY as the pseudonym key of the bi views\n');
}

export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Runs one bi-role command (`args` as after `npm run bi-role --`) and answers its exit code:
 * 0 done, 1 refused (a BiRoleError's code and message on stderr), 2 bad usage.
 */
export async function runBiRoleCommand(
  args: string[],
  out: CommandOutput,
  connect: () => Promise<{ ds: DataSource; close: () => Promise<void> }>,
): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (error) {
    out.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { positionals, values } = parsed;
  const command = positionals[0] as Command | undefined;
  if (!command || !COMMANDS.includes(command) || positionals.length > 1) {
    out.stderr(`${USAGE}\n`);
    return 2;
  }
  const name = values.name;
  if (['create', 'rotate', 'drop'].includes(command) && !name) {
    out.stderr(`${command} needs --name NAME\n${USAGE}\n`);
    return 2;
  }
  if (command === 'sync-key' && !process.env.PII_PSEUDONYM_KEY) {
    out.stderr('sync-key: PII_PSEUDONYM_KEY is not set (without it the API already uses the database\'s key)\n');
    return 2;
  }
  const { ds, close } = await connect();
  try {
    const url = (ds.options as PostgresConnectionOptions).url ?? '';
    if (command === 'create' || command === 'rotate') {
      await syncKeyFromEnv(ds, out);
      const login = command === 'create' ? await createBiLogin(ds, name as string) : await rotateBiLogin(ds, name as string);
      out.stdout(
        `${command === 'create' ? 'created' : 'new password for'} BI login ${login.role}; the password is shown only this once:\n` +
          `password: ${login.password}\nconnection string: ${loginUrl(url, login)}\n`,
      );
    } else if (command === 'list') {
      const logins = await listBiLogins(ds);
      if (logins.length === 0) out.stdout('no BI logins (create one with `npm run bi-role -- create --name metabase`)\n');
      for (const l of logins) out.stdout(`${JSON.stringify(l)}\n`);
    } else if (command === 'drop') {
      out.stdout(`dropped BI login ${await dropBiLogin(ds, name as string)}\n`);
    } else {
      await syncKeyFromEnv(ds, out);
      out.stdout('the pseudonym key of the database is PII_PSEUDONYM_KEY\n');
    }
    return 0;
  } catch (error) {
    if (error instanceof BiRoleError) {
      out.stderr(`${error.code}: ${error.message}\n`);
      return error.code === 'BAD_NAME' ? 2 : 1;
    }
    throw error;
  } finally {
    await close();
  }
}

function parseOptions(args: string[]) {
  return parseArgs({ args, allowPositionals: true, strict: true, options: { name: { type: 'string' } } });
}
