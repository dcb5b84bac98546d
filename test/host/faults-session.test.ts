// The extension's run session over the real engine (worker, store, claims) under faults: the
// extension deactivated mid-job, the worker crashing under the session, two windows on one
// run, and the CLI scoring the same run as the session.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { verifyStore } from '../../src/core/store/verify';
import { createEngine } from '../../src/host/engineAdapter';
import { RunSession } from '../../src/host/runSession';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import type { ScoringWorkerClient } from '../../src/run/workerClient';
import { countJobs, isAlive, makeRun, tally } from '../scoring/faultsRun';
import { fileScope, settle, spawnCli } from '../support/cli';

function session(root: string, notices: string[] = [], logs: string[] = [], workerScript?: string): RunSession {
  const log = (level: string) => (c: string, m: string) => logs.push(`${level} ${c} ${m}`);
  return new RunSession(root, {
    engine: createEngine({ isTrusted: () => true, log: (l, m) => logs.push(`${l} engine ${m}`), workerScript }),
    settings: { ...DEFAULT_SETTINGS, executionProvider: 'cpu', tokenBudget: 16, threads: 1 },
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    isTrusted: () => true,
    notifyUser: (m) => notices.push(m),
  });
}

// The session's scan leaves files changed in the last two seconds for later: each test's run
// is built here, all at once, and the file waits that out (settle) once.
const lifetime = fileScope();
const runs = { deactivated: '', killed: '', twoWindows: '', withCli: '' };
before(async () => {
  runs.deactivated = makeRun(lifetime, [100, 200], 200);
  runs.killed = makeRun(lifetime, [100, 200], 60);
  runs.twoWindows = makeRun(lifetime, [100, 200, 300], 40);
  runs.withCli = makeRun(lifetime, [100, 200, 300, 400], 40);
  await settle();
});

const states = (s: RunSession) => Object.fromEntries(s.snapshot().rows.map((r) => [r.step, r.state]));

/** Fails the test on any unhandled rejection while it runs. */
function noUnhandled(t: { after(fn: () => void): void }): unknown[] {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  process.on('unhandledRejection', on);
  t.after(() => process.off('unhandledRejection', on));
  return seen;
}

/** Workers started while the test runs hold `checkpoint`'s job after its first batch until they are killed. */
function holdJob(t: { after(fn: () => void): void }, checkpoint: string): void {
  process.env.CHECKPOINT_COVERAGE_TEST_HOLD_JOB = checkpoint;
  t.after(() => {
    delete process.env.CHECKPOINT_COVERAGE_TEST_HOLD_JOB;
  });
}

test('deactivated mid-job: the worker process exits, nothing half is stored, the claim is released, no unhandled rejection', async (t) => {
  const unhandled = noUnhandled(t);
  holdJob(t, 'step-100/model.onnx');
  const root = runs.deactivated;
  const { clients } = countJobs(t);
  const s = session(root);
  let pid: number | undefined;
  const running = new Promise<void>((resolve) => {
    s.onDidChange((snap) => {
      const c = [...clients][0] as ScoringWorkerClient | undefined;
      if (!pid && snap.progress.current && snap.progress.current.samples > 0 && c?.workerPid) {
        pid = c.workerPid;
        resolve();
      }
    });
  });
  await s.open();
  await running;
  // Resolves once the job has settled (its claim released) and the worker is gone.
  await s.disposeAndWait();
  assert.equal(isAlive(pid!), false, 'the worker exited');
  const check = await verifyStore(join(root, '.coverage', 'scores'));
  assert.deepEqual([check.invalid, check.temporary], [[], []]);
  assert.deepEqual(readdirSync(join(root, '.coverage', 'locks')), []);
  assert.deepEqual(unhandled, []);
});

test('a worker that dies on every attempt under the session: new workers on ever smaller budgets, then failed with the reason; told once; the others are scored', async (t) => {
  const root = runs.killed;
  // Every worker asked to score step 100 is killed (SIGKILL, as the out-of-memory killer would)
  // on arrival, whatever its budget; step 200 is scored normally.
  const log = join(root, '..', `${basename(root)}-budgets.log`);
  Object.assign(process.env, { CC_TEST_MEMORY_WALL: '0', CC_TEST_MEMORY_WALL_ONLY: 'step-100/model.onnx', CC_TEST_MEMORY_LOG: log });
  t.after(() => {
    for (const k of ['CC_TEST_MEMORY_WALL', 'CC_TEST_MEMORY_WALL_ONLY', 'CC_TEST_MEMORY_LOG']) delete process.env[k];
    rmSync(log, { force: true });
  });
  const notices: string[] = [];
  const s = session(root, notices, [], join(__dirname, '..', 'support', 'memoryWallWorker.ts'));
  t.after(() => s.disposeAndWait());
  await s.open();
  await s.idle();
  assert.deepEqual(states(s), { 100: 'failed', 200: 'done' });
  const attempts = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  const budgets = attempts.map(([, b]) => Number(b));
  assert.equal(budgets[0], 16);
  assert.equal(new Set(budgets).size, budgets.length, `never twice on one budget: ${budgets.join(', ')}`);
  assert.equal(new Set(attempts.map(([pid]) => pid)).size, attempts.length, 'a fresh worker per attempt');
  assert.equal(
    s.snapshot().rows[0].reason,
    `the scoring worker stopped ${budgets.length} times on this checkpoint (token budget ${budgets.join(', ')}, the last with one sample per batch): the scoring worker was killed (SIGKILL, possibly out of memory)`,
  );
  assert.equal(notices.length, 1);
  assert.equal(
    notices[0],
    `The scoring worker stopped while scoring step-100/model.onnx (the scoring worker was killed (SIGKILL, possibly out of memory)); it restarts and tries again with batches of at most ${budgets[1]} tokens.`,
  );
});

test('two windows on one run: both sessions finish with every checkpoint, each scored once', async (t) => {
  const root = runs.twoWindows;
  const { jobs } = countJobs(t);
  const a = session(root);
  const b = session(root);
  t.after(() => Promise.all([a.disposeAndWait(), b.disposeAndWait()]));
  await Promise.all([a.open(), b.open()]);
  await Promise.all([a.idle(), b.idle()]);
  const all = { 100: 'done', 200: 'done', 300: 'done' };
  assert.deepEqual([states(a), states(b)], [all, all]);
  assert.deepEqual(tally(jobs), { 'step-100/model.onnx': 1, 'step-200/model.onnx': 1, 'step-300/model.onnx': 1 });
  assert.deepEqual(
    a.snapshot().rows.map((r) => r.cePerToken),
    b.snapshot().rows.map((r) => r.cePerToken),
  );
});

test('the CLI and a session scoring one run at once: both succeed, nothing is scored twice, every stored file verifies', async (t) => {
  const root = runs.withCli;
  const { jobs } = countJobs(t);
  const cli = spawnCli(['score', root, '--provider', 'cpu', '--budget', '16']);
  const s = session(root);
  t.after(() => s.disposeAndWait());
  await s.open();
  const [{ code, err }] = await Promise.all([cli, s.idle()]);
  assert.equal(code, 0, err);
  assert.deepEqual(states(s), { 100: 'done', 200: 'done', 300: 'done', 400: 'done' });
  const summary = /4 checkpoint\(s\): (\d+) scored in [\d.]+ s, (\d+) from the store/.exec(err);
  assert.ok(summary, err);
  assert.equal(Number(summary[1]) + jobs.length, 4, `CLI scored ${summary[1]}, the session ${jobs.length}: ${err}`);
  assert.equal(new Set(jobs).size, jobs.length);
  const check = await verifyStore(join(root, '.coverage', 'scores'));
  assert.deepEqual([check.valid.length, check.invalid, check.temporary], [4, [], []]);
});
