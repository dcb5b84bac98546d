// Several scorers on one store: the claim files that make them split the work, and two
// RunScorers (two windows, or a window and a cluster job) scoring the same run at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tryClaim, waitForRelease } from '../../src/core/store/claims';
import { verifyStore } from '../../src/core/store/verify';
import { RunScorer } from '../../src/run/runScorer';
import { countJobs, loadRun, makeRun, tally } from './faultsRun';
import { failureLine } from '../support/scoreRun';
import { tempDir } from '../support/temp';

const fast = { staleMs: 300, heartbeatMs: 50, pollMs: 10 };

test('a claim is exclusive, names its holder, and is free again once released', async (t) => {
  const dir = tempDir(t);
  const a = await tryClaim(dir, 'k', fast);
  assert.ok(a.claimed);
  const b = await tryClaim(dir, 'k', fast);
  assert.ok(!b.claimed);
  assert.deepEqual([b.holder?.pid, b.holder?.host], [process.pid, hostname()]);
  await a.claim.release();
  // A claim whose heartbeat runs: staleMs is long enough that a machine stalled by other work for
  // a few hundred milliseconds (holder and waiter share this process's timers) does not look dead.
  const steady = { ...fast, staleMs: 1500 };
  const held = await tryClaim(dir, 'k', steady);
  assert.ok(held.claimed);
  let released = false;
  const waiting = waitForRelease(dir, 'k', steady).then(() => (released = true));
  // Past staleMs (twice over), so only the heartbeat can keep the waiter from taking it over.
  await new Promise((r) => setTimeout(r, 2 * steady.staleMs + 100));
  assert.equal(released, false, 'the heartbeat keeps a live claim from looking stale');
  await held.claim.release();
  await waiting;
  assert.ok((await tryClaim(dir, 'k', fast)).claimed);
});

test('a claim whose holder died on this host is taken over at once', async (t) => {
  const dir = tempDir(t);
  const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  writeFileSync(join(dir, 'k.lock'), JSON.stringify({ pid: deadPid, host: hostname(), startedAt: 'then', token: 'old' }));
  const c = await tryClaim(dir, 'k', fast);
  assert.ok(c.claimed);
  await c.claim.release();
  assert.deepEqual(readdirSync(dir), []);
});

test('a claim from another machine whose heartbeat stopped is taken over after staleMs; a late release leaves a newer claim alone', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'k.lock'), JSON.stringify({ pid: 1, host: 'node-17.cluster', startedAt: 'then', token: 'old' }));
  const first = await tryClaim(dir, 'k', fast);
  assert.ok(!first.claimed && first.holder?.host === 'node-17.cluster', 'another host: its pid cannot be checked here');
  const t0 = Date.now();
  await waitForRelease(dir, 'k', fast);
  assert.ok(Date.now() - t0 >= fast.staleMs);
  const mine = await tryClaim(dir, 'k', fast);
  assert.ok(mine.claimed);
  // A holder thought dead comes back and releases: it removes only a lock carrying its own token.
  const theirs = JSON.stringify({ pid: 2, host: 'node-18.cluster', startedAt: 'now', token: 'new' });
  writeFileSync(join(dir, 'k.lock'), theirs);
  await mine.claim.release();
  assert.equal(readFileSync(join(dir, 'k.lock'), 'utf8'), theirs);
});

test('two scorers on one run at once (two windows): every checkpoint is scored once, both read the same valid results', async (t) => {
  const root = makeRun(t, [100, 200, 300, 400], 40);
  const { jobs } = countJobs(t);
  const { evalSet, layout } = await loadRun(root);
  const a = new RunScorer({ runRoot: root, evalSet, provider: 'cpu', tokenBudget: 32, claims: { pollMs: 20 } });
  const b = new RunScorer({ runRoot: root, evalSet, provider: 'cpu', tokenBudget: 32, claims: { pollMs: 20 } });
  t.after(async () => {
    await a.dispose();
    await b.dispose();
  });
  const [ra, rb] = await Promise.all([a.ensureScored(layout.checkpoints), b.ensureScored(layout.checkpoints)]);
  assert.deepEqual(tally(jobs), { 'step-100/model.onnx': 1, 'step-200/model.onnx': 1, 'step-300/model.onnx': 1, 'step-400/model.onnx': 1 });
  assert.deepEqual([...ra.outcomes, ...rb.outcomes].map(failureLine), Array(8).fill(undefined));
  for (let i = 0; i < 4; i++) assert.deepEqual(ra.outcomes[i].record!.scores, rb.outcomes[i].record!.scores);
  // Each scorer computed some and read the others' results: the work was split, not repeated.
  assert.equal(ra.outcomes.filter((o) => !o.reused).length + rb.outcomes.filter((o) => !o.reused).length, 4);
  const check = await verifyStore(a.dir);
  assert.deepEqual([check.valid.length, check.invalid, check.temporary], [4, [], []]);
  assert.deepEqual(readdirSync(join(root, '.coverage', 'locks')), []);
});
