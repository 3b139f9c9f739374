#!/usr/bin/env node
// Entry for `npm run yoke` and installs: runs the built CLI (out/main/cli.js).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write("yoke: not built yet. Run 'npm run setup' (or 'npm run build') in " + path.join(__dirname, '..') + ' first.\n');
  process.exit(2);
}
require(cli).runCli(process.argv.slice(2), {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  tty: Boolean(process.stderr.isTTY),
}).then((code) => {
  process.exitCode = code;
  if (!process.env.YOKE_KEEP_ALIVE) process.stdout.write('', () => process.exit(code));
});
