// `checkpoint-coverage slurm` on a real Slurm (test/cluster/with-slurm.sh starts a private one;
// `npm run test:cluster` builds the CLI and runs this file beside it). A run of 12 GPT-2-shaped
// checkpoints is scored by a 4-task array: every checkpoint once, as the task logs show, every
// task its own share, and the report the dependent job writes equals one process's report. Then
// a task is cancelled while it holds a checkpoint: nothing half-written stays, another task
// scores that checkpoint, and a second submission finds nothing left to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoRun } from '../../src/core/demo/run';
import { DEMO_SCHEDULE } from '../../src/core/demo/checkpoints';
import { gpt2Model, writeModel } from '../../src/core/onnx/models';
import { readClaims } from '../../src/core/store/claims';
import { verifyStore } from '../../src/core/store/verify';
import { REPO, settle } from '../support/cli';

const CLI = join(REPO, 'dist', 'cli.js');
const TASKS = 4;
const CHECKPOINTS = 12;
/** Longest a submission may take (12 checkpoints of half a second each; a loaded 2-CPU machine is far slower). */
const JOB_TIMEOUT_MS = 5 * 60_000;

let root = '';
const runs = { first: '', cancelled: '', single: '' };
let paths: string[] = [];

before(async () => {
  if (!process.env.SLURM_CONF)
    throw new Error('SLURM_CONF is not set: run `npm run test:cluster`, which starts a private Slurm (test/cluster/with-slurm.sh)');
  execFileSync('sinfo', ['-h'], { stdio: 'pipe' });
  root = mkdtempSync(join(tmpdir(), 'cc-cluster-'));
  for (const name of Object.keys(runs) as (keyof typeof runs)[]) runs[name] = makeRun(join(root, name));
  // The same seeds give the same bytes, so all three runs hold the same checkpoints.
  paths = DEMO_SCHEDULE.slice(0, CHECKPOINTS).map((s) => `checkpoints/step-${s.step}/model.onnx`);
  await settle();
});

/** Every job this file submitted, cancelled at the end so a failed test leaves nothing running. */
const submitted: string[] = [];

after(async () => {
  if (submitted.length) {
    try {
      slurm('scancel', ...submitted);
      await waitForJobs(...submitted);
    } catch {
      // the daemons are gone or the ids long done; with-slurm.sh cancels what is left anyway
    }
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

/**
 * The demo's eval set (2,000 samples with their exact ref_logprob) and 12 small GPT-2 decoders
 * in place of its bigram tables: about half a second each to score on one CPU thread, so a
 * task spends most of its time holding a claim, where the cancel test catches it.
 */
function makeRun(dir: string): string {
  const demo = createDemoRun(dir, { schedule: DEMO_SCHEDULE.slice(0, CHECKPOINTS), samples: 2000 });
  for (const c of demo.checkpoints) {
    writeModel(
      join(dir, c.path, '..'),
      'model.onnx',
      gpt2Model({ layers: 2, width: 128, heads: 4, vocab: demo.vocab, context: 32, seed: c.step }),
    );
  }
  return dir;
}

interface Result {
  code: number;
  out: string;
  err: string;
}

function cli(args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

const slurm = (tool: string, ...args: string[]): string =>
  execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Submits through the CLI; the array's and the report job's ids from what it prints. */
async function submit(run: string): Promise<{ array: string; report: string; logs: string }> {
  const r = await cli(['slurm', run, '--tasks', String(TASKS), '--cpus-per-task', '1']);
  assert.equal(r.code, 0, r.err);
  const array = /job array (\d+):/.exec(r.out)?.[1];
  const report = /report +job (\d+),/.exec(r.out)?.[1];
  assert.ok(array && report, r.out);
  submitted.push(array, report);
  return { array, report, logs: join(run, '.coverage', 'slurm', 'logs') };
}

async function waitForJobs(...ids: string[]): Promise<void> {
  const end = Date.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const queued = slurm('squeue', '-h', '-j', ids.join(','), '-o', '%i %T').trim();
    if (queued === '') return;
    if (Date.now() > end) throw new Error(`jobs ${ids.join(', ')} still queued after ${JOB_TIMEOUT_MS / 1000} s:\n${queued}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `<task or ''>` → `STATE exit:signal` of each job, from slurmctld's memory (no accounting here). */
function states(id: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of slurm('scontrol', '-o', 'show', 'job', id).trim().split('\n')) {
    const field = (k: string) => new RegExp(`\\b${k}=(\\S+)`).exec(line)?.[1] ?? '';
    out[field('ArrayTaskId')] = `${field('JobState')} ${field('ExitCode')}`;
  }
  return out;
}

interface TaskLog {
  index: number;
  pid: number;
  own: string;
  scored: string[];
  text: string;
}

function taskLog(logs: string, array: string, task: number): TaskLog | undefined {
  const file = join(logs, `score-${array}_${task}.log`);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const head =
    /^task (\d+) of (\d+) \(SLURM_ARRAY_TASK_ID=(\d+)\) on \S+, pid (\d+): (\d+) checkpoint\(s\); starts at (\S+), kept for it$/m.exec(
      text,
    );
  if (!head) return undefined;
  assert.deepEqual([head[1], head[2], head[3], head[5]], [String(task), String(TASKS), String(task), String(CHECKPOINTS)], text);
  return { index: task, pid: Number(head[4]), own: head[6], scored: scoredIn(text), text };
}

const scoredIn = (text: string): string[] => [...text.matchAll(/^(\S+): scored on cpu in /gm)].map((m) => m[1]);

const tally = (xs: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of [...xs].sort()) out[x] = (out[x] ?? 0) + 1;
  return out;
};
const once = (): Record<string, number> => Object.fromEntries([...paths].sort().map((p) => [p, 1]));

test('4 tasks score 12 checkpoints, each once, each task its own share; the dependent job writes the report one process writes', async () => {
  const run = runs.first;
  const job = await submit(run);
  await waitForJobs(job.array, job.report);
  assert.deepEqual(states(job.array), { 0: 'COMPLETED 0:0', 1: 'COMPLETED 0:0', 2: 'COMPLETED 0:0', 3: 'COMPLETED 0:0' });
  assert.deepEqual(states(job.report), { '': 'COMPLETED 0:0' });

  const logs = [0, 1, 2, 3].map((i) => taskLog(job.logs, job.array, i)!);
  assert.deepEqual(tally(logs.flatMap((l) => l.scored)), once(), 'every checkpoint scored exactly once, by the task logs');
  // Task i starts at checkpoint 3i, kept for it: each scores at least that one, first.
  assert.deepEqual(
    logs.map((l) => [l.own, l.scored[0]]),
    [0, 3, 6, 9].map((j) => [paths[j], paths[j]]),
  );
  assert.ok(logs.filter((l) => l.scored.length > 0).length >= 2);
  const reportLog = readFileSync(join(job.logs, `report-${job.report}.log`), 'utf8');
  assert.deepEqual(scoredIn(reportLog), [], 'the report job found everything scored');

  const store = join(run, '.coverage');
  assert.deepEqual(
    readdirSync(store).filter((n) => n.startsWith('.report')),
    [],
    'no temp report left',
  );
  const check = await verifyStore(join(store, 'scores'));
  assert.deepEqual([check.valid.length, check.invalid, check.temporary], [CHECKPOINTS, [], []]);
  assert.deepEqual(readdirSync(join(store, 'locks')), []);

  // The same checkpoints scored and reported by one process, from nothing: the same numbers.
  const single = await cli(['report', runs.single, '--json']);
  assert.equal(single.code, 0, single.err);
  assert.match(single.err, new RegExp(`${CHECKPOINTS} checkpoint\\(s\\): ${CHECKPOINTS} scored`));
  assert.deepEqual(JSON.parse(readFileSync(join(store, 'report.json'), 'utf8')), JSON.parse(single.out));
  const text = await cli(['report', runs.single]);
  assert.equal(readFileSync(join(store, 'report.txt'), 'utf8'), text.out);
});

test('a task cancelled while it scores leaves nothing half-written; another task scores its checkpoint, and a second submission has nothing left to do', async () => {
  const run = runs.cancelled;
  const scores = join(run, '.coverage', 'scores');
  const job = await submit(run);

  // Freeze a task that holds a claim on a checkpoint with no stored result and no temp file,
  // check that while it cannot move, then cancel it: it dies holding the claim, mid-scoring.
  let victim: { task: number; checkpoint: string } | undefined;
  const end = Date.now() + JOB_TIMEOUT_MS;
  while (!victim) {
    assert.ok(Date.now() < end, 'no task was seen holding a claim');
    for (let task = 0; task < TASKS && !victim; task++) {
      const log = taskLog(job.logs, job.array, task);
      const mine = log && (await readClaims(scores)).find((c) => c.holder?.pid === log.pid);
      if (!log || !mine?.holder?.checkpoint) continue;
      try {
        slurm('scontrol', 'suspend', `${job.array}_${task}`);
      } catch {
        continue; // it ended in between
      }
      const still = (await readClaims(scores)).find((c) => c.file === mine.file)?.holder?.token === mine.holder.token;
      const stored = (await verifyStore(scores)).valid.some((v) => v.checkpointPath === mine.holder!.checkpoint);
      const writing =
        existsSync(scores) &&
        readdirSync(scores).some((n) =>
          n.startsWith(
            `${mine.file
              .split('/')
              .pop()!
              .replace(/\.lock$/, '')}.tmp-`,
          ),
        );
      if (still && !stored && !writing) {
        slurm('scancel', `${job.array}_${task}`);
        victim = { task, checkpoint: mine.holder.checkpoint };
      } else slurm('scontrol', 'resume', `${job.array}_${task}`);
    }
    if (!victim) await new Promise((r) => setTimeout(r, 100));
  }
  await waitForJobs(job.array, job.report);

  const want: Record<string, string> = { 0: 'COMPLETED 0:0', 1: 'COMPLETED 0:0', 2: 'COMPLETED 0:0', 3: 'COMPLETED 0:0' };
  want[victim.task] = 'CANCELLED 0:9';
  assert.deepEqual(states(job.array), want);
  assert.deepEqual(states(job.report), { '': 'COMPLETED 0:0' });
  const check = await verifyStore(scores);
  assert.deepEqual([check.valid.length, check.invalid, check.temporary], [CHECKPOINTS, [], []], 'nothing half-written kept');
  assert.deepEqual(readdirSync(join(run, '.coverage', 'locks')), [], "the dead task's claim was taken over and released");

  const logs = [0, 1, 2, 3].map((i) => taskLog(job.logs, job.array, i)!);
  const reportLog = readFileSync(join(job.logs, `report-${job.report}.log`), 'utf8');
  const byOthers = [...logs.filter((l) => l.index !== victim!.task).flatMap((l) => l.scored), ...scoredIn(reportLog)];
  assert.ok(!logs[victim.task].scored.includes(victim.checkpoint), 'the cancelled task never stored it');
  assert.deepEqual(
    byOthers.filter((p) => p === victim!.checkpoint),
    [victim.checkpoint],
    'another task scored it, once',
  );
  assert.deepEqual(tally([...logs[victim.task].scored, ...byOthers]), once(), 'every checkpoint scored exactly once');
  const report = readFileSync(join(run, '.coverage', 'report.json'), 'utf8');
  // One process's report of the same checkpoints (read back from the store when the first test made it).
  const single = await cli(['report', runs.single, '--json']);
  assert.deepEqual(JSON.parse(report), JSON.parse(single.out));

  const again = await submit(run);
  await waitForJobs(again.array, again.report);
  for (let task = 0; task < TASKS; task++) {
    const log = taskLog(again.logs, again.array, task)!;
    assert.deepEqual(log.scored, [], log.text);
    assert.match(log.text, new RegExp(`${CHECKPOINTS} checkpoint\\(s\\): 0 scored in [\\d.]+ s, ${CHECKPOINTS} from the store`));
  }
  assert.equal(readFileSync(join(run, '.coverage', 'report.json'), 'utf8'), report, 'the report is rewritten with the same content');
});
