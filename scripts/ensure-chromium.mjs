// Before `npm test`: the browser tests (test/web) drive Debian's Chromium through playwright-core
// and never download a browser. When it is missing, install Debian's package if this is a Debian
// machine and we may (root), else say what to do; any other test needs nothing of this.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  const mayInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && !process.env.CHROMIUM_PATH;
  if (!mayInstall) {
    console.error(`the browser tests (test/web) need Chromium at ${path}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
    process.exit(1);
  }
  console.error("the browser tests (test/web) need Chromium: installing Debian's chromium package (apt-get)");
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
}
