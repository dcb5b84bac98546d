// `checkpoint-coverage slurm` without a cluster: the dry run prints the array and its dependent
// report job and submits nothing; a submission goes through a stand-in sbatch on the PATH that
// records its arguments (test/cluster runs the same command against a real Slurm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command } from '../../src/cli/slurm';
import { REPO, callCommand, spawnCli } from '../support/cli';
import { tempDir, tempRun } from '../support/temp';

/** A stand-in sbatch first on the PATH: appends its arguments to a log, prints the next id (or fails). */
function fakeSbatch(t: { after(fn: () => void): void }, behaviour = 'echo "$((100 + n));cluster-a"'): { calls: () => string[] } {
  const dir = tempDir(t, 'cc-fake-sbatch-');
  const log = join(dir, 'calls');
  writeFileSync(join(dir, 'sbatch'), `#!/bin/sh\necho "$*" >> '${log}'\nn=$(wc -l < '${log}')\n${behaviour}\n`, { mode: 0o755 });
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  t.after(() => {
    process.env.PATH = path;
  });
  return { calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const RUN = { 'eval.jsonl': '{"prompt_ids":[1],"response_ids":[2]}\n', 'step-100/model.onnx': 'x', 'step-200/model.onnx': 'y' };

test('--dry-run prints the array of 4 tasks and the report job that depends on it, and writes and submits nothing (spawned)', async (t) => {
  const root = tempRun(t, RUN);
  const sbatch = fakeSbatch(t);
  const r = await spawnCli(['slurm', root, '--tasks', '4', '--dry-run']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^#SBATCH --array=0-3$/m);
  assert.match(r.out, new RegExp(`^exec ${process.execPath} ${join(REPO, 'dist', 'cli.js')} score ${root} --tasks 4$`, 'm'));
  assert.match(r.out, /^# .*\/\.coverage\/slurm\/report\.sbatch$/m);
  assert.match(r.out, /^publish report\.json --json /m);
  assert.match(r.out, /^sbatch --parsable --dependency=afterany:ARRAY_ID .*\/report\.sbatch/m);
  assert.deepEqual(sbatch.calls(), [], 'sbatch was not called');
  assert.equal(existsSync(join(root, '.coverage')), false, 'nothing was written into the run');
});

test('a submission writes both scripts, submits the array, then the report job after it, and prints how to follow them', async (t) => {
  const root = tempRun(t, RUN);
  const sbatch = fakeSbatch(t);
  const r = await callCommand(command, [
    root,
    '--tasks',
    '2',
    '--partition',
    'gpu',
    '--cpus-per-task',
    '3',
    '--extra',
    '--qos=high --comment "a b"',
  ]);
  assert.equal(r.code, 0, r.err);
  const dir = join(root, '.coverage', 'slurm');
  assert.deepEqual(sbatch.calls(), [
    `--parsable --qos=high --comment a b ${dir}/score.sbatch`,
    `--parsable --dependency=afterany:101 --qos=high --comment a b ${dir}/report.sbatch`,
  ]);
  const script = readFileSync(join(dir, 'score.sbatch'), 'utf8');
  assert.match(script, /^#SBATCH --array=0-1$/m);
  assert.match(script, /^#SBATCH --partition=gpu$/m);
  assert.match(script, /score \S+ --tasks 2 --threads 3$/m);
  assert.ok(existsSync(join(dir, 'logs')), 'the log folder exists before the jobs start (sbatch does not create it)');
  assert.match(r.out, /scoring +job array 101: tasks 101_0 to 101_1/);
  assert.match(r.out, /report +job 102, once every task has ended/);
  assert.match(r.out, /squeue -j 101,102/);
  assert.match(r.out, new RegExp(`tail -f ${dir}/logs/score-101_\\*\\.log`));
  assert.match(r.out, /scancel 101 102/);
});

test('sbatch refusing the array, or the report job, is said with its own words; usage errors name the option', async (t) => {
  const root = tempRun(t, RUN);
  fakeSbatch(t, '[ "$n" -ge 1 ] && { echo "sbatch: error: invalid partition specified: nope" >&2; exit 1; }');
  await assert.rejects(
    callCommand(command, [root]),
    /sbatch --parsable .*score\.sbatch failed \(exit 1\): sbatch: error: invalid partition specified: nope/,
  );

  const other = tempRun(t, RUN);
  const sbatch = fakeSbatch(t, '[ "$n" -ge 2 ] && { echo "sbatch: error: Job dependency problem" >&2; exit 1; }; echo 7');
  await assert.rejects(
    callCommand(command, [other]),
    /Submitted the scoring array 7 \(4 tasks\), but not its report job: .*Job dependency problem\nThe tasks will score the run; for the report, run 'sbatch --dependency=afterany:7 .*report\.sbatch'/,
  );
  assert.equal(sbatch.calls().length, 2);

  await assert.rejects(callCommand(command, [root, '--time', '2 hours']), {
    name: 'UsageError',
    message: /--time "2 hours": expected minutes/,
  });
  await assert.rejects(callCommand(command, [root, '--extra', '--array=0-99']), {
    name: 'UsageError',
    message: /--array=0-99 is set by checkpoint-coverage itself/,
  });
  const empty = tempRun(t, { 'eval.jsonl': RUN['eval.jsonl'] });
  await assert.rejects(callCommand(command, [empty, '--dry-run']), /no checkpoints found; nothing to score/);
});
