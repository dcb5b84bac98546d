#!/usr/bin/env node
// The headless CLI. It runs the built bundle; `npm run build` makes it.
require('../dist/cli.js');
