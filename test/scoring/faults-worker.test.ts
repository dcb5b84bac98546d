// The scoring worker dying under a job: killed by SIGKILL, out of memory under a heap limit,
// behind a memory wall, or short of address space. A worker that dies is replaced and the job
// runs again with a smaller token budget, never twice on the same one; the store never holds
// half a result; the caller gets a failure that says why; and the threads setting reaches the
// worker's session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyStore } from '../../src/core/store/verify';
import { RunScorer } from '../../src/run/runScorer';
import { ScoreError } from '../../src/core/scoreError';
import { ScoringWorkerClient, type ScoreJob, type WorkerCrashNotice } from '../../src/run/workerClient';
import { planBatches } from '../../src/scoring/batching';
import { scoreModel } from '../../src/scoring/scorer';
import { constantLogitsModel } from '../../src/core/onnx/models';
import { bundledWorker } from '../support/bundledWorker';
import { CPU, randomSamples, saveModel } from './helpers';
import { bigramFor, loadRun, makeRun, VOCAB, waitGone } from './faultsRun';
import { tempDir } from '../support/temp';

const lengthsOf = (j: ScoreJob) => j.evalSet.samples.map((s) => s.promptIds.length + s.responseIds.length);
const onePerBatch = (j: ScoreJob, budget: number) => planBatches(lengthsOf(j), budget).every((b) => b.members.length === 1);

function job(t: { after(fn: () => void): void }, samples = 40): ScoreJob {
  const modelPath = saveModel(tempDir(t), 'step-1', bigramFor(1));
  // A budget of 16 tokens makes many batches, so there is a "mid-job" to kill in.
  return {
    jobId: 'j1',
    checkpointPath: 'step-1/model.onnx',
    modelPath,
    evalSet: { hash: 'e1', file: 'eval.jsonl', samples: randomSamples(samples, VOCAB, 2) },
    options: { ...CPU, tokenBudget: 16 },
  };
}

test('a worker SIGKILLed on every attempt: each retry on a fresh worker with half the budget, down to one sample per batch, then a failure saying so', async (t) => {
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
  const failed = client.score(j).finally(() => {
    settled = true;
  });
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
  let error: ScoreError | undefined;
  await failed.catch((e: ScoreError) => {
    error = e;
  });
  await killer;
  const budgets = notices.map((n) => n.tokenBudget);
  assert.equal(budgets[0], 16);
  for (let i = 1; i < budgets.length; i++)
    assert.ok(budgets[i] < budgets[i - 1], `each attempt on a smaller budget: ${budgets.join(', ')}`);
  assert.ok(
    onePerBatch(j, budgets.at(-1)!) && !onePerBatch(j, budgets.at(-2)!),
    `down to one sample per batch, no further: ${budgets.join(', ')}`,
  );
  assert.equal(error?.kind, 'out-of-memory');
  assert.equal(
    error?.message,
    `the scoring worker stopped ${budgets.length} times on this checkpoint (token budget ${budgets.join(', ')}, the last with one sample per batch): the scoring worker was killed (SIGKILL, possibly out of memory)`,
  );
  assert.equal(pids.size, budgets.length, 'one worker per attempt');
  assert.deepEqual(
    notices.map((n) => [n.attempt, n.retrying, n.tellUser, n.nextTokenBudget]),
    budgets.map((b, i) => [i + 1, i < budgets.length - 1, i === 0, budgets[i + 1]]),
  );
  assert.equal(
    notices[0].message,
    `The scoring worker stopped while scoring step-1/model.onnx (the scoring worker was killed (SIGKILL, possibly out of memory)); it restarts and tries again with batches of at most ${budgets[1]} tokens.`,
  );
  for (const pid of pids) assert.ok(await waitGone(pid), `worker ${pid} is gone`);
  // The streak ends with a success: the next crash is worth telling again.
  const ok = await client.score({ ...j, jobId: 'j2' });
  assert.equal(ok.seqLogprob.length, j.evalSet.samples.length);
});

test('behind a memory wall (a worker asked for more than 100 tokens a batch is killed): no worker dies twice on one budget, and the job ends with the right numbers', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'budgets.log');
  process.env.CC_TEST_MEMORY_WALL = '100';
  process.env.CC_TEST_MEMORY_LOG = log;
  t.after(() => {
    delete process.env.CC_TEST_MEMORY_WALL;
    delete process.env.CC_TEST_MEMORY_LOG;
  });
  const notices: WorkerCrashNotice[] = [];
  const client = new ScoringWorkerClient({
    workerScript: join(__dirname, '..', 'support', 'memoryWallWorker.ts'),
    restartBaseMs: 10,
    onCrash: (n) => notices.push(n),
  });
  t.after(() => client.dispose());
  const j = { ...job(t), options: { ...CPU, tokenBudget: 16_777_216 } };
  const result = await client.score(j);
  const runs = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  // Every budget is tried once, by one worker; each died on its own budget, the last ran.
  const budgets = runs.map(([, b]) => Number(b));
  assert.equal(new Set(budgets).size, budgets.length, `no budget twice: ${budgets.join(', ')}`);
  assert.equal(new Set(runs.map(([pid]) => pid)).size, runs.length, 'a fresh worker per attempt');
  assert.deepEqual(
    runs.map(([, , fate]) => fate),
    [...runs.slice(1).map(() => 'died'), 'ran'],
  );
  assert.equal(budgets[0], 16_777_216);
  assert.ok(budgets.at(-1)! <= 100 && budgets.at(-2)! > 100, budgets.join(', '));
  assert.deepEqual(
    notices.map((n) => n.tokenBudget),
    budgets.slice(0, -1),
  );
  const direct = await scoreModel({ modelPath: j.modelPath, evalFile: 'e', samples: j.evalSet.samples, options: CPU });
  assert.deepEqual(result.seqLogprob, direct.seqLogprob);
});

test('a worker killed mid-job through RunScorer: run again, the stored file is whole and equals a direct run', async (t) => {
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
  assert.deepEqual(
    crashes.map((c) => [c.attempt, c.retrying]),
    [[1, true]],
    'killed once, retried once',
  );
  const check = await verifyStore(scorer.dir);
  assert.deepEqual([check.valid.length, check.invalid, check.temporary], [1, [], []]);
  assert.equal(check.valid[0].checkpointPath, 'step-100/model.onnx');
  assert.deepEqual(readdirSync(join(root, '.coverage', 'locks')), [], 'the claim is released');
  const direct = await scoreModel({ modelPath: layout.checkpoints[0].modelPath, evalFile: 'e', samples: evalSet.samples, options: CPU });
  assert.deepEqual(record.scores.seqLogprob, direct.seqLogprob);
});

test(
  'onnxruntime out of memory inside a live worker: the scorer halves its batches and goes on; a sample too big even alone fails the job once, in our words',
  { skip: process.platform !== 'linux' && 'RLIMIT_AS through prlimit' },
  async (t) => {
    const dir = tempDir(t);
    const vocab = 32768;
    const modelPath = saveModel(dir, 'step-1', constantLogitsModel({ logits: new Array(vocab).fill(0) }));
    const sample = (index: number, len: number) => ({
      index,
      line: index + 1,
      id: `s${index}`,
      promptIds: new Int32Array(len / 2).fill(1),
      responseIds: new Int32Array(len / 2).fill(2),
    });
    const script = bundledWorker(join(__dirname, '..', 'support', 'addressLimitedWorker.ts'));
    t.after(() => rmSync(script, { force: true }));
    const limited = (headroomMb: number, logs: string[], notices: WorkerCrashNotice[]) => {
      process.env.CC_TEST_ADDRESS_HEADROOM_MB = String(headroomMb);
      const c = new ScoringWorkerClient({
        workerScript: script,
        restartBaseMs: 10,
        log: (_l, m) => logs.push(m),
        onCrash: (n) => notices.push(n),
      });
      t.after(() => c.dispose());
      return c;
    };
    t.after(() => {
      delete process.env.CC_TEST_ADDRESS_HEADROOM_MB;
    });

    // 64 samples of 64 tokens in one batch need 2 × 512 MiB of [batch, seq, vocab] floats; 600 MiB of headroom does not hold them.
    const logs: string[] = [];
    const notices: WorkerCrashNotice[] = [];
    const client = limited(600, logs, notices);
    const samples = Array.from({ length: 64 }, (_, i) => sample(i, 64));
    const r = await client.score({
      jobId: 'oom',
      checkpointPath: 'step-1/model.onnx',
      modelPath,
      evalSet: { hash: 'e', file: 'eval.jsonl', samples },
      options: { ...CPU, tokenBudget: 8192 },
    });
    // Uniform logits: exactly −32 ln V per sample, whatever the batches were.
    for (const v of r.seqLogprob) assert.ok(Math.abs(v + 32 * Math.log(vocab)) < 1e-3, String(v));
    const halvings = logs.filter((m) => m.includes('out of memory on a batch'));
    assert.ok(halvings.length >= 1, logs.join('\n'));
    assert.equal(
      halvings[0],
      'step-1/model.onnx: out of memory on a batch of 64 samples × 64 tokens (budget 8192); going on with batches of at most 2048 tokens',
    );
    assert.deepEqual(notices, [], 'the worker never died');

    // One sample of 2048 tokens needs 2 × 256 MiB even alone: the job fails once with our message, and is not run again.
    const tight = limited(300, [], notices);
    const withLong = [sample(0, 2048), ...Array.from({ length: 3 }, (_, i) => sample(i + 1, 8))];
    const pidBefore =
      (await tight.score({
        jobId: 'warm',
        checkpointPath: 'step-1/model.onnx',
        modelPath,
        evalSet: { hash: 'w', file: 'eval.jsonl', samples: withLong.slice(1) },
        options: CPU,
      }),
      tight.workerPid);
    await assert.rejects(
      tight.score({
        jobId: 'long',
        checkpointPath: 'step-1/model.onnx',
        modelPath,
        evalSet: { hash: 'l', file: 'eval.jsonl', samples: withLong },
        options: { ...CPU, tokenBudget: 8192 },
      }),
      (e: ScoreError) =>
        e.kind === 'out-of-memory' &&
        e.sample?.line === 1 &&
        e.message ===
          'out of memory running one sample alone (eval.jsonl:1 (id s0), 2048 tokens): onnxruntime could not allocate what the model needs for it. Free memory or score on a machine with more; a smaller --budget (tokenBudget) cannot help',
    );
    assert.equal(tight.workerPid, pidBefore, 'the same worker: nothing died, nothing was retried');
    assert.deepEqual(notices, []);
  },
);

test('out of memory under a 16 MiB heap limit: a failed job saying so; the caller and a normal worker go on', async (t) => {
  const j = job(t, 10);
  const tiny = new ScoringWorkerClient({ maxHeapMb: 16, restartBaseMs: 10 });
  t.after(() => tiny.dispose());
  // The same tiny worker scores a small eval set: the limit is not what kills it at start-up.
  assert.equal((await tiny.score(j)).seqLogprob.length, 10);
  // 60k samples cloned into the worker's heap do not fit in 16 MiB, whatever the budget: the job
  // runs on halved budgets until one sample per batch, each on a fresh worker, then fails.
  const big = { ...j, jobId: 'j2', evalSet: { hash: 'big', file: 'eval.jsonl', samples: randomSamples(60_000, VOCAB, 5) } };
  await assert.rejects(
    tiny.score(big),
    (e: ScoreError) =>
      e.kind === 'out-of-memory' &&
      e.message ===
        'the scoring worker stopped 4 times on this checkpoint (token budget 16, 8, 4, 2, the last with one sample per batch): the scoring worker ran out of memory (its JavaScript heap limit of 16 MiB)',
  );
  const normal = new ScoringWorkerClient();
  t.after(() => normal.dispose());
  assert.equal((await normal.score({ ...j, jobId: 'j3' })).seqLogprob.length, 10);
});

test(
  'the threads setting reaches the worker: its onnxruntime session runs threads − 1 extra pool threads',
  { skip: process.platform !== 'linux' && 'counts threads in /proc' },
  async (t) => {
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
      assert.ok(
        logs.some((l) => l.startsWith(`step-100/model.onnx: session on cpu with ${n} intra-op thread(s),`)),
        logs.join('\n'),
      );
      return count;
    };
    const one = await threadsWith(1);
    const three = await threadsWith(3);
    assert.equal(three - one, 2);
  },
);

test('stop(): the job in flight and the one queued are cancelled, not retried; the next job starts a fresh worker; each job tells its own onCrash', async (t) => {
  const client = new ScoringWorkerClient({ restartBaseMs: 10 });
  t.after(() => client.dispose());
  const j = job(t, 400);
  const crashes: string[] = [];
  const first = client.score({ ...j, onCrash: (n) => crashes.push(`first ${n.attempt}`) });
  const queued = client.score({ ...j, jobId: 'j-queued' });
  while (client.workerPid === undefined) await new Promise((r) => setTimeout(r, 2));
  const pid = client.workerPid;
  await client.stop();
  await assert.rejects(first, (e: ScoreError) => e.kind === 'cancelled');
  await assert.rejects(queued, (e: ScoreError) => e.kind === 'cancelled');
  assert.ok(await waitGone(pid!), 'the worker is gone');
  assert.equal(client.workerPid, undefined, 'no worker was started again to retry');
  const ok = await client.score({ ...j, jobId: 'j-after' });
  assert.equal(ok.seqLogprob.length, j.evalSet.samples.length);
  assert.notEqual(client.workerPid, pid);
  // A crash is told to the job it hit (runs sharing a client each hear of their own).
  const mine = client.score({ ...j, jobId: 'j-crash', onCrash: (n) => crashes.push(`mine ${n.attempt}`) });
  const killed = client.workerPid!;
  process.kill(killed, 'SIGKILL');
  await mine.catch(() => undefined);
  assert.deepEqual(crashes, ['mine 1']);
});
