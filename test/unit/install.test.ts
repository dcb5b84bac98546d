// How the project installs: onnxruntime-node's postinstall (which downloads CUDA libraries from a
// host many machines cannot reach) is skipped by the package.json's allowScripts policy, not by a
// project .npmrc key that npm does not know: such a key made every npm and npx call in the
// repository print "npm warn Unknown project config". Offline: npm only reads its config here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

test("onnxruntime-node's install script is denied by allowScripts, so npm ci skips its download", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, unknown> };
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
});

test('npm commands in the repository print no warning about the project config', () => {
  // npm_config_* variables from an outer `npm test` would hide a warning about the project's own file.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync('npm', ['pkg', 'get', 'name'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '"checkpoint-coverage"');
  assert.doesNotMatch(r.stderr, /Unknown .*config/i, r.stderr);
});
