import 'reflect-metadata';
import { connectForCli } from '../db/cli-connection';
import { runBiRoleCommand } from './bi-role.command';

/** `npm run bi-role -- ...`: its commands are in bi-role.command.ts. */
runBiRoleCommand(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }, connectForCli).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
