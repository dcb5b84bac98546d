#!/usr/bin/env node
// The headless CLI runs the built bundle (`npm ci` builds it through `prepare`; `npm run build` rebuilds it).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  process.stderr.write(`checkpoint-coverage: ${bundle} is missing; run 'npm run build' in ${join(__dirname, '..')} first\n`);
  process.exit(1);
}
require(bundle);
