// core/cluster: where each array task starts and what is kept for it, the task's index from its
// scheduler's environment, the shell quoting and splitting (checked against a real /bin/sh), and
// the option checks of `slurm`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  parseSlurmRequest,
  shellQuote,
  slurmJob,
  splitShellWords,
  taskPlan,
  taskSlotFromEnv,
  type SlurmRequest,
} from '../../src/core/cluster';
import { fuzzParams } from '../support/fuzz';
import { tempDir } from '../support/temp';

test('task t of K starts at ⌊t·n/K⌋, keeps it, and tries every other checkpoint not kept for another task', () => {
  // Starts 0, 3, 6, 9: task 1 begins at 3 and goes round, leaving 6, 9 and 0 to tasks 2, 3 and 0.
  assert.deepEqual(taskPlan(12, { index: 1, count: 4, source: 's' }), {
    order: [3, 4, 5, 7, 8, 10, 11, 1, 2],
    keptForOthers: [6, 9, 0],
    own: 3,
  });
  assert.deepEqual(taskPlan(5, { index: 0, count: 2, source: 's' }), { order: [0, 1, 3, 4], keptForOthers: [2], own: 0 });
  // More tasks than checkpoints: the first task with each start keeps it; the others have
  // nothing of their own and only step in for a task that claimed its checkpoint and died.
  assert.deepEqual(taskPlan(2, { index: 1, count: 4, source: 's' }), { order: [], keptForOthers: [0, 1] });
  assert.deepEqual(taskPlan(2, { index: 2, count: 4, source: 's' }), { order: [1], keptForOthers: [0], own: 1 });
  // No count (a Kubernetes Job without --tasks), or outside an array: every checkpoint, in order.
  assert.deepEqual(taskPlan(3, { index: 2, source: 's' }), { order: [0, 1, 2], keptForOthers: [] });
  assert.deepEqual(taskPlan(3), { order: [0, 1, 2], keptForOthers: [] });
  assert.deepEqual(taskPlan(0, { index: 0, count: 3, source: 's' }), { order: [], keptForOthers: [] });
});

test('over every n and K, the tasks keep distinct checkpoints and together try each one', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 50 }), (n, k) => {
      const plans = Array.from({ length: k }, (_, index) => taskPlan(n, { index, count: k, source: 's' }));
      const kept = plans.flatMap((p) => (p.own === undefined ? [] : [p.own]));
      assert.equal(new Set(kept).size, kept.length, 'a checkpoint kept for two tasks');
      assert.equal(kept.length, Math.min(n, k));
      for (const [t, p] of plans.entries()) {
        assert.deepEqual(
          [...p.order, ...p.keptForOthers].sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => i),
          `task ${t} sees every checkpoint once`,
        );
        if (p.own !== undefined) assert.equal(p.order[0], p.own, 'a task starts with its own');
        for (const j of p.keptForOthers) assert.ok(kept.includes(j) && p.own !== j);
      }
    }),
    fuzzParams(300, 'taskPlan'),
  );
});

test('the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; the count from --tasks or SLURM_ARRAY_TASK_COUNT', () => {
  assert.deepEqual(taskSlotFromEnv({}), { ok: true });
  assert.deepEqual(
    taskSlotFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '1' }),
    { ok: true, slot: { index: 2, count: 4, source: 'SLURM_ARRAY_TASK_ID=2' } },
  );
  assert.deepEqual(taskSlotFromEnv({ JOB_COMPLETION_INDEX: '3' }, 5), {
    ok: true,
    slot: { index: 3, count: 5, source: 'JOB_COMPLETION_INDEX=3' },
  });
  assert.deepEqual(taskSlotFromEnv({ JOB_COMPLETION_INDEX: '3' }), { ok: true, slot: { index: 3, source: 'JOB_COMPLETION_INDEX=3' } });
  // `--array=1-7:2` gives ids 1, 3, 5, 7: tasks 0 to 3.
  assert.deepEqual(
    taskSlotFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '2' }),
    { ok: true, slot: { index: 2, count: 4, source: 'SLURM_ARRAY_TASK_ID=5' } },
  );
  // `--array=1,5,9`: no step to map the ids by, so no count; claims alone split the work.
  assert.deepEqual(
    taskSlotFromEnv({ SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '1' }),
    { ok: true, slot: { index: 8, source: 'SLURM_ARRAY_TASK_ID=9' } },
  );
  assert.deepEqual(taskSlotFromEnv({ SLURM_ARRAY_TASK_ID: 'x' }), { ok: false, reason: 'SLURM_ARRAY_TASK_ID=x: expected a whole number' });
  assert.match(
    (taskSlotFromEnv({ JOB_COMPLETION_INDEX: '4' }, 4) as { reason: string }).reason,
    /JOB_COMPLETION_INDEX=4 is not below --tasks 4/,
  );
  assert.match(
    (taskSlotFromEnv({}, 4) as { reason: string }).reason,
    /--tasks 4 is for array tasks, but neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set/,
  );
});

test('shellQuote: /bin/sh reads back exactly the string quoted, whatever it holds', () => {
  const strings = fc.array(
    fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '\\', '$', '`', '*', '\n', 'é', '%', '-', '/', '!', ';', '(', '#') }),
    { minLength: 1, maxLength: 6 },
  );
  fc.assert(
    fc.property(strings, (words) => {
      const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`]);
      assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), words);
    }),
    fuzzParams(60, 'shellQuote'),
  );
  assert.equal(shellQuote('/opt/node/bin/node'), '/opt/node/bin/node');
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test('splitShellWords splits as /bin/sh does, with nothing expanded', () => {
  for (const s of [`--qos=high --constraint "a100|h100"`, `  -x  'a b'c "d\\"e" f\\ g `, `--comment="it's \\$HOME"`, `''`, ``, `a"b"'c'`]) {
    const got = splitShellWords(s);
    const sh = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${s}`])
      .toString('utf8')
      .split('\0')
      .slice(0, -1);
    assert.deepEqual(got, { ok: true, words: s.trim() === '' ? [] : sh }, s);
  }
  assert.deepEqual(splitShellWords(`--comment 'open`), { ok: false, reason: `unclosed ' in "--comment 'open"` });
  assert.deepEqual(splitShellWords(`"x`), { ok: false, reason: 'unclosed " in "\\"x"' });
});

test('slurm options: checked one by one, each refusal naming the option and what it takes', () => {
  const ok = parseSlurmRequest({
    tasks: '8',
    partition: 'gpu,debug',
    account: 'proj-1',
    time: '1-02:00:00',
    mem: '16G',
    cpusPerTask: '4',
    gpusPerTask: 'a100:1',
    extra: `--qos=high --comment 'a b'`,
  });
  assert.deepEqual(ok, {
    ok: true,
    value: {
      tasks: 8,
      partition: 'gpu,debug',
      account: 'proj-1',
      time: '1-02:00:00',
      mem: '16G',
      cpusPerTask: 4,
      gpusPerTask: 'a100:1',
      extra: ['--qos=high', '--comment', 'a b'],
    },
  });
  assert.deepEqual(parseSlurmRequest({}), { ok: true, value: { tasks: 4, extra: [] } });
  for (const [input, reason] of [
    [{ tasks: '0' }, /--tasks 0: expected a whole number of array tasks from 1/],
    [{ tasks: '2.5' }, /--tasks 2.5/],
    [{ partition: 'gpu\n#SBATCH --uid=0' }, /--partition "gpu\\n#SBATCH --uid=0": expected a partition name/],
    [{ time: '2h' }, /--time "2h": expected minutes, MM:SS, HH:MM:SS/],
    [{ mem: '16 G' }, /--mem "16 G": expected a size such as 16G/],
    [{ cpusPerTask: '0' }, /--cpus-per-task 0/],
    [{ gpusPerTask: '0' }, /--gpus-per-task "0"/],
    [{ extra: '--array=0-9' }, /--extra: --array=0-9 is set by checkpoint-coverage itself/],
    [{ extra: '-d afterok:1' }, /--extra: -d is set by checkpoint-coverage itself/],
    [{ extra: '--qos "high' }, /--extra: unclosed "/],
  ] as const) {
    const r = parseSlurmRequest(input);
    assert.ok(!r.ok && reason.test(r.reason), `${JSON.stringify(input)}: ${JSON.stringify(r)}`);
  }
});

test('the scripts: an array of K tasks running score with this node and CLI, and a report job that renames its outputs into place', () => {
  const request: SlurmRequest = { tasks: 3, partition: 'gpu', cpusPerTask: 2, gpusPerTask: '1', extra: ['--qos=high'] };
  const places = {
    node: '/opt/node 20/bin/node',
    cli: '/opt/cc/dist/cli.js',
    run: '/data/runs/my run',
    store: '/data/runs/my run/.coverage%x',
  };
  const r = slurmJob(places, request);
  assert.ok(r.ok);
  const j = r.value;
  assert.equal(j.score.path, '/data/runs/my run/.coverage%x/slurm/score.sbatch');
  const lines = j.score.text.split('\n');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('#SBATCH')),
    [
      '#SBATCH --job-name=coverage-score-my_run',
      '#SBATCH --array=0-2',
      '#SBATCH --output="/data/runs/my run/.coverage%%x/slurm/logs/score-%A_%a.log"',
      '#SBATCH --chdir="/data/runs/my run"',
      '#SBATCH --partition=gpu',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --gpus-per-task=1',
    ],
  );
  assert.equal(lines.at(-2), `exec '/opt/node 20/bin/node' /opt/cc/dist/cli.js score '/data/runs/my run' --tasks 3 --threads 2`);
  assert.match(j.report.text, /^#SBATCH --output="\/data\/runs\/my run\/\.coverage%%x\/slurm\/logs\/report-%j\.log"$/m);
  assert.match(j.report.text, /^#SBATCH --gpus-per-task=1$/m);
  assert.doesNotMatch(j.report.text, /--array/);
  assert.deepEqual(j.scoreArgs, ['--parsable', '--qos=high', j.score.path]);
  assert.deepEqual(j.reportArgs('77'), ['--parsable', '--dependency=afterany:77', '--qos=high', j.report.path]);
  assert.equal(j.scoreLog('77', 2), '/data/runs/my run/.coverage%x/slurm/logs/score-77_2.log');
  const bad = slurmJob({ ...places, run: '/data/"quoted"' }, request);
  assert.ok(!bad.ok && /the run folder "\/data\/\\"quoted\\"" has a ", \\ or line break/.test(bad.reason), JSON.stringify(bad));
});

test('the scripts run: a task execs score with its arguments intact; the report job renames finished reports into place and keeps the old ones on failure', (t) => {
  const root = tempDir(t, 'cc-sbatch-');
  const run = join(root, "it's a run");
  const store = join(run, '.coverage');
  mkdirSync(store, { recursive: true });
  // A stand-in for node: prints the arguments it was given, or fails when FAIL is set.
  const node = join(root, 'fake node');
  writeFileSync(node, '#!/bin/sh\n[ -n "$FAIL" ] && { echo "failing" >&2; exit 3; }\nprintf "%s|" "$@"\n', { mode: 0o755 });
  const r = slurmJob({ node, cli: '/opt/cc/dist/cli.js', run, store }, { tasks: 2, extra: [] });
  assert.ok(r.ok);
  const script = (name: string, text: string) => {
    const f = join(root, name);
    writeFileSync(f, text);
    return f;
  };
  const task = execFileSync('bash', [script('score.sbatch', r.value.score.text)], { encoding: 'utf8' });
  assert.equal(task, `/opt/cc/dist/cli.js|score|${run}|--tasks|2|`);

  const report = script('report.sbatch', r.value.report.text);
  execFileSync('bash', [report], { encoding: 'utf8' });
  assert.equal(readFileSync(r.value.outputs.json, 'utf8'), `/opt/cc/dist/cli.js|report|${run}|--json|`);
  assert.equal(readFileSync(r.value.outputs.text, 'utf8'), `/opt/cc/dist/cli.js|report|${run}|`);
  assert.deepEqual(readdirSync(store).sort(), ['report.json', 'report.txt']);

  const failed = spawnSync('bash', [report], { encoding: 'utf8', env: { ...process.env, FAIL: '1' } });
  assert.equal(failed.status, 3, "the job fails with the report's exit code");
  assert.equal(readFileSync(r.value.outputs.json, 'utf8'), `/opt/cc/dist/cli.js|report|${run}|--json|`, 'the last good report stays');
  assert.deepEqual(readdirSync(store).sort(), ['report.json', 'report.txt'], 'no temp file is left behind');
});
