// A script that writes checkpoints and runs the CLI at once: `score` and `report` wait (bounded,
// said on stderr) for checkpoints changed in the last seconds instead of finding none; --no-wait
// keeps the old behaviour; files with an in-progress name are never waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as report } from '../../src/cli/report';
import { command as score } from '../../src/cli/score';
import { callCommand } from '../support/cli';
import { makeRun } from './faultsRun';

test('report right after the checkpoints were written waits for them and reports every one', async (t) => {
  const root = makeRun(t, [100, 200, 300], 12);
  const r = await callCommand(report, [root, '--json', '--provider', 'cpu']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as { checkpoints: { step: number }[]; failed: unknown[] };
  assert.deepEqual(
    json.checkpoints.map((c) => c.step),
    [100, 200, 300],
  );
  assert.deepEqual(json.failed, []);
  assert.match(
    r.err,
    /^waiting up to 60 s for 3 checkpoint\(s\) changed in the last moments to settle \(step-100\/model\.onnx, step-200\/model\.onnx, step-300\/model\.onnx\); --no-wait skips this$/m,
  );
  assert.doesNotMatch(r.err, /still being written/);
});

test('--no-wait keeps the old behaviour: checkpoints written a moment ago are left for the next run', async (t) => {
  const root = makeRun(t, [100, 200], 12);
  const r = await callCommand(report, [root, '--no-wait', '--provider', 'cpu']);
  assert.equal(r.code, 1, r.err);
  assert.equal(
    r.err.trim().split('\n').at(-1),
    `checkpoint-coverage report: ${root}: no checkpoints found (2 still being written); see README.md for the names a checkpoint may have`,
  );
  assert.doesNotMatch(r.err, /waiting/);
});

test('score waits for recent checkpoints but not for one with an in-progress file beside it', async (t) => {
  const root = makeRun(t, [100, 200, 300], 12);
  writeFileSync(join(root, 'step-300', 'model.onnx_data.tmp'), 'still copying');
  const r = await callCommand(score, [root, '--provider', 'cpu']);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.err,
    /^waiting up to 60 s for 2 checkpoint\(s\) changed in the last moments to settle \(step-100\/model\.onnx, step-200\/model\.onnx\); --no-wait skips this$/m,
  );
  assert.match(r.err, /^warning: step-300\/model\.onnx: still being written; not scored this time$/m);
  assert.match(r.err, /^2 checkpoint\(s\): 2 scored in [\d.]+ s, 0 from the store/m);
});
