// `score` as one task of a job array, without a scheduler: it starts at its own checkpoint,
// leaves the ones kept for other tasks, says so in its log, and takes over a kept checkpoint
// whose task claimed it and died (a cancelled array task). test/cluster runs it under Slurm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { command as score } from '../../src/cli/score';
import { storeFileName } from '../../src/core/store';
import { RunScorer } from '../../src/run/runScorer';
import { callCommand, settle } from '../support/cli';
import { countJobs, loadRun, makeRun } from './faultsRun';

test("task 1 of 2 scores its own checkpoint first and every other one but task 0's; task 0 dead on its claim is taken over", async (t) => {
  const root = makeRun(t, [100, 200, 300, 400, 500], 30);
  const { jobs } = countJobs(t);
  await settle();
  process.env.JOB_COMPLETION_INDEX = '1';
  t.after(() => {
    delete process.env.JOB_COMPLETION_INDEX;
  });

  // Starts ⌊i·5/2⌋: 0 for task 0, 2 for task 1, which goes 2, 3, 4, 1 and leaves 0 to task 0.
  const first = await callCommand(score, [root, '--tasks', '2', '--provider', 'cpu']);
  assert.equal(first.code, 0, first.err);
  assert.deepEqual(jobs, ['step-300/model.onnx', 'step-400/model.onnx', 'step-500/model.onnx', 'step-200/model.onnx']);
  const log = first.err.split('\n');
  assert.match(
    log[0],
    new RegExp(
      `^task 1 of 2 \\(JOB_COMPLETION_INDEX=1\\) on ${hostname()}, pid ${process.pid}: 5 checkpoint\\(s\\); starts at step-300/model\\.onnx, kept for it$`,
    ),
  );
  assert.deepEqual(
    log.filter((l) => / scored on cpu /.test(l)).map((l) => l.split(':')[0]),
    jobs,
  );
  assert.match(
    first.err,
    /5 checkpoint\(s\): 4 scored in [\d.]+ s, 0 from the store .*, 0 failed, 1 left to the tasks they are kept for \(step-100\/model\.onnx\)\n$/,
  );

  // Task 0 claimed its checkpoint and was killed: its lock names it, and its pid is gone.
  const { evalSet, layout } = await loadRun(root);
  const keyer = new RunScorer({ runRoot: root, evalSet });
  const name = storeFileName(await keyer.key(layout.checkpoints[0]));
  await keyer.dispose();
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  const locks = join(root, '.coverage', 'locks');
  mkdirSync(locks, { recursive: true });
  writeFileSync(
    join(locks, `${name}.lock`),
    JSON.stringify({ pid: dead, host: hostname(), startedAt: 'then', token: 't0', checkpoint: 'step-100/model.onnx' }),
  );

  const again = await callCommand(score, [root, '--tasks', '2', '--provider', 'cpu']);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(jobs.slice(4), ['step-100/model.onnx'], "only the dead task's checkpoint is scored, once");
  assert.match(again.err, /5 checkpoint\(s\): 1 scored in [\d.]+ s, 4 from the store .*, 0 failed\n$/);
  assert.deepEqual(readdirSync(locks), []);
});
