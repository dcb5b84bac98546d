// The scoring worker dying under a job: killed by SIGKILL, out of memory under a heap limit.
// A job runs at most twice (one retry on a fresh worker); the store never holds half a result;
// the caller gets a failure that says why; and the threads setting reaches the worker's session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyStore } from '../../src/core/store/verify';
import { RunScorer } from '../../src/run/runScorer';
import { ScoreError } from '../../src/core/scoreError';
import { ScoringWorkerClient, type ScoreJob, type WorkerCrashNotice } from '../../src/run/workerClient';
import { scoreModel } from '../../src/scoring/scorer';
import { CPU, randomSamples, saveModel } from './helpers';
import { bigramFor, loadRun, makeRun, VOCAB, waitGone } from './faultsRun';
import { tempDir } from '../support/temp';

function job(t: { after(fn: () => void): void }, samples = 40): ScoreJob {
  const modelPath = saveModel(tempDir(t), 'step-1', bigramFor(1));
  // A budget of 16 tokens makes many batches, so there is a "mid-job" to kill in.
  return { jobId: 'j1', checkpointPath: 'step-1/model.onnx', modelPath, evalSet: { hash: 'e1', file: 'eval.jsonl', samples: randomSamples(samples, VOCAB, 2) }, options: { ...CPU, tokenBudget: 16 } };
}

test('a worker SIGKILLed on every attempt: the job runs exactly twice, then fails with the reason; the user is told once', async (t) => {
  const notices: WorkerCrashNotice[] = [];
  const client = new ScoringWorkerClient({ restartBaseMs: 10, onCrash: (n) => notices.push(n) });
  t.after(() => client.dispose());
  const pids = new Set<number>();
  const j = job(t);
  // Kill each new worker as soon as it exists. Killing on its first progress notification raced
  // the job: a small job can send every progress and its result before the kill lands, and the
  // test then saw a success. A worker needs far longer to start (node, onnxruntime, the session)
  // than this 2 ms poll needs to see its pid.
  let settled = false;
  const failed = client.score(j).finally(() => { settled = true; });
  const killer = (async () => {
    while (!settled) {
      const pid = client.workerPid;
      if (pid !== undefined && !pids.has(pid)) {
        pids.add(pid);
        process.kill(pid, 'SIGKILL');
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await assert.rejects(failed, (e: ScoreError) => e.kind === 'crashed' && /^the scoring worker stopped 2 times on this checkpoint: the scoring worker was killed \(SIGKILL/.test(e.message));
  await killer;
  assert.equal(pids.size, 2, 'one run and one retry, each on its own worker');
  assert.deepEqual(notices.map((n) => [n.attempt, n.retrying, n.tellUser]), [[1, true, true], [2, false, false]]);
  assert.match(notices[0].message, /^The scoring worker stopped while scoring step-1\/model\.onnx \(.*SIGKILL.*\); it restarts and retries once\.$/);
  for (const pid of pids) assert.ok(await waitGone(pid), `worker ${pid} is gone`);
  // The streak ends with a success: the next crash is worth telling again.
  const ok = await client.score({ ...j, jobId: 'j2' });
  assert.equal(ok.seqLogprob.length, j.evalSet.samples.length);
});

test('a worker killed mid-job through RunScorer: retried once, the stored file is whole and equals a direct run', async (t) => {
  const root = makeRun(t, [100], 60);
  const { evalSet, layout } = await loadRun(root);
  // The job is held after its first batch until the release file exists, so the kill lands while
  // it runs however loaded the machine is; the retry is released at once.
  const release = join(root, 'release');
  process.env.CHECKPOINT_COVERAGE_TEST_HOLD_JOB = 'step-100/model.onnx';
  process.env.CHECKPOINT_COVERAGE_TEST_RELEASE_FILE = release;
  t.after(() => {
    delete process.env.CHECKPOINT_COVERAGE_TEST_HOLD_JOB;
    delete process.env.CHECKPOINT_COVERAGE_TEST_RELEASE_FILE;
  });
  const crashes: WorkerCrashNotice[] = [];
  const client = new ScoringWorkerClient({ restartBaseMs: 10, onCrash: (n) => crashes.push(n) });
  const scorer = new RunScorer({ runRoot: root, evalSet, client, provider: 'cpu', tokenBudget: 16 });
  t.after(async () => {
    await scorer.dispose();
    await client.dispose();
  });
  let killed = 0;
  const record = await scorer.score(layout.checkpoints[0], () => {
    if (killed++ > 0) return;
    process.kill(client.workerPid!, 'SIGKILL');
    writeFileSync(release, '');
  });
  assert.deepEqual(crashes.map((c) => [c.attempt, c.retrying]), [[1, true]], 'killed once, retried once');
  const check = await verifyStore(scorer.dir);
  assert.deepEqual([check.valid.length, check.invalid, check.temporary], [1, [], []]);
  assert.equal(check.valid[0].checkpointPath, 'step-100/model.onnx');
  assert.deepEqual(readdirSync(join(root, '.coverage', 'locks')), [], 'the claim is released');
  const direct = await scoreModel({ modelPath: layout.checkpoints[0].modelPath, evalFile: 'e', samples: evalSet.samples, options: CPU });
  assert.deepEqual(record.scores.seqLogprob, direct.seqLogprob);
});

test('out of memory under a 16 MiB heap limit: a failed job saying so; the caller and a normal worker go on', async (t) => {
  const j = job(t, 10);
  const tiny = new ScoringWorkerClient({ maxHeapMb: 16, restartBaseMs: 10 });
  t.after(() => tiny.dispose());
  // The same tiny worker scores a small eval set: the limit is not what kills it at start-up.
  assert.equal((await tiny.score(j)).seqLogprob.length, 10);
  // 60k samples cloned into the worker's heap do not fit in 16 MiB.
  const big = { ...j, jobId: 'j2', evalSet: { hash: 'big', file: 'eval.jsonl', samples: randomSamples(60_000, VOCAB, 5) } };
  await assert.rejects(tiny.score(big), (e: ScoreError) => e.kind === 'out-of-memory' && e.message === 'the scoring worker stopped 2 times on this checkpoint: the scoring worker ran out of memory (its JavaScript heap limit of 16 MiB)');
  const normal = new ScoringWorkerClient();
  t.after(() => normal.dispose());
  assert.equal((await normal.score({ ...j, jobId: 'j3' })).seqLogprob.length, 10);
});

test('the threads setting reaches the worker: its onnxruntime session runs threads − 1 extra pool threads', { skip: process.platform !== 'linux' && 'counts threads in /proc' }, async (t) => {
  const threadsWith = async (n: number) => {
    const logs: string[] = [];
    const root = makeRun(t, [100], 30);
    const { evalSet, layout } = await loadRun(root);
    const client = new ScoringWorkerClient({ log: (_l, m) => logs.push(m) });
    const scorer = new RunScorer({ runRoot: root, evalSet, client, provider: 'cpu', tokenBudget: 16, threads: n });
    let count = 0;
    try {
      // The most threads seen over the job: one read at the first progress raced the worker's
      // other pools (libuv's starts on first use), and under CI load both runs read the same count.
      await scorer.score(layout.checkpoints[0], () => {
        count = Math.max(count, readdirSync(`/proc/${client.workerPid}/task`).length);
      });
    } finally {
      await scorer.dispose();
      await client.dispose();
    }
    assert.ok(logs.includes(`step-100/model.onnx: session on cpu with ${n} intra-op thread(s)`), logs.join('\n'));
    return count;
  };
  const one = await threadsWith(1);
  const three = await threadsWith(3);
  assert.equal(three - one, 2);
});
