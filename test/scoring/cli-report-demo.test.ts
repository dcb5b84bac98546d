// `demo` ends with the report, and a second `demo` on the same folder reuses the stored scores:
// the models are rewritten byte for byte, so their content hashes (the store keys) match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { command as demo } from '../../src/cli/demo';
import { tempDir } from './helpers';

async function runDemo(dir: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await demo.run([join(dir, 'demo'), '--samples', '300'], { out: (t) => { out.push(t); }, err: (t) => { err.push(t); }, cwd: dir });
  return { code, out: out.join(''), err: err.join('') };
}

test('demo prints the report; the second demo scores nothing and reuses all 13 stored results', async (t) => {
  const dir = tempDir(t);
  const first = await runDemo(dir);
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /13 checkpoint\(s\): 13 scored/);
  assert.match(first.out, /^reference: generator · samples: 300 of 300/m);
  assert.match(first.out, /◀ suggested/);
  assert.match(first.out, /^Demo: /m);
  const second = await runDemo(dir);
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, /13 checkpoint\(s\): 0 scored in 0\.0 s, 13 reused from the store/);
  assert.equal(second.out.replace(/\d+ ms/g, ''), first.out.replace(/\d+ ms/g, ''), 'the same report');
  assert.ok(!existsSync(join(dir, 'demo', '.coverage.kept')));
});
