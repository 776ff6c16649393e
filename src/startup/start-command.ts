import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The options `npm start` gives node before the entry, read from package.json's start script
 * (`... && node [options] dist/src/main.js`): its memory budget. The bench and the startup tests
 * start the server with them, as users do.
 */
export function startScriptNodeOptions(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const command = (pkg.scripts.start ?? '').split('&&').at(-1)!.trim().split(/\s+/);
  if (command[0] !== 'node' || command.at(-1) !== 'dist/src/main.js') throw new Error(`npm start is not "node [options] dist/src/main.js": ${pkg.scripts.start}`);
  return command.slice(1, -1);
}
