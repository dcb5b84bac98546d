// Runs the test suite with Node's own runner. Node 20 has no glob support in `--test`,
// so the files are listed here. `node scripts/test.mjs unit scoring` limits the layers.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const layers = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const roots = (layers.length ? layers : ['unit', 'scoring', 'run', 'host']).map((l) => join('test', l));

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = roots.flatMap((r) => walk(r, []));
if (files.length === 0) {
  console.error('no test files under', roots.join(', '));
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
