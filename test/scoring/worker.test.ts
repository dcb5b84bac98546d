// The worker client: jobs run in a worker process; a worker killed mid-job fails the job
// cleanly and a fresh worker scores it again on a smaller budget; cancel stops a job; errors
// are not retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramModel } from '../../src/core/onnx/models';
import { ScoreError } from '../../src/core/scoreError';
import { ScoringWorkerClient, type ScoreJob } from '../../src/run/workerClient';
import { scoreModel } from '../../src/scoring/scorer';
import { CPU, lcg, randomSamples, saveModel } from './helpers';
import { tempDir } from '../support/temp';

function setup(t: { after(fn: () => void): void }) {
  const dir = tempDir(t);
  const vocab = 9;
  const r = lcg(11);
  const table = Float32Array.from({ length: vocab * vocab }, () => r() * 4);
  const modelPath = saveModel(dir, 'step-1', bigramModel({ table, vocab }));
  const samples = randomSamples(1500, vocab, 2);
  // A budget of 16 tokens makes many small batches, so there is a "mid-job" to kill in.
  const job: ScoreJob = {
    jobId: 'j1',
    checkpointPath: 'step-1/model.onnx',
    modelPath,
    evalSet: { hash: 'e1', file: 'eval.jsonl', samples },
    options: { ...CPU, tokenBudget: 16 },
  };
  return { job, modelPath, samples };
}

test('a worker killed mid-job: the job runs again on a new worker with half the budget and gives the same numbers', async (t) => {
  const { job, modelPath, samples } = setup(t);
  const logs: string[] = [];
  const client = new ScoringWorkerClient({ restartBaseMs: 10, log: (_l, m) => logs.push(m) });
  t.after(() => client.dispose());
  let killed = false;
  const res = await client.score({
    ...job,
    onProgress: () => {
      if (!killed) {
        killed = true;
        void client.terminateWorker();
      }
    },
  });
  assert.ok(killed);
  assert.ok(
    logs.includes(
      'step-1/model.onnx: the scoring worker was killed (SIGKILL, possibly out of memory) with a token budget of 16; trying again on a new worker with 8 in 10 ms',
    ),
    logs.join('\n'),
  );
  const direct = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: job.options as typeof CPU });
  assert.deepEqual(res.seqLogprob, direct.seqLogprob);
  assert.deepEqual(res.tokenLogprobs, direct.tokenLogprobs);
});

test('without retries a killed job fails at once (SIGKILL counts as out of memory), and the next job runs on a fresh worker', async (t) => {
  const { job } = setup(t);
  const client = new ScoringWorkerClient({ retries: 0 });
  t.after(() => client.dispose());
  const failed = client.score({ ...job, onProgress: () => void client.terminateWorker() });
  await assert.rejects(
    failed,
    (e: ScoreError) => e.kind === 'out-of-memory' && e.message === 'the scoring worker was killed (SIGKILL, possibly out of memory)',
  );
  const ok = await client.score({ ...job, jobId: 'j2' });
  assert.equal(ok.seqLogprob.length, job.evalSet.samples.length);
});

test('cancel stops a job between batches; a bad model is an error, not retried', async (t) => {
  const { job } = setup(t);
  const client = new ScoringWorkerClient();
  t.after(() => client.dispose());
  const cancelled = client.score({ ...job, onProgress: () => client.cancel('j1') });
  await assert.rejects(cancelled, (e: ScoreError) => e.kind === 'cancelled');
  const bad = client.score({ ...job, jobId: 'j3', checkpointPath: 'step-9/model.onnx', modelPath: '/nonexistent/model.onnx' });
  await assert.rejects(
    bad,
    (e: ScoreError) =>
      e.kind === 'unreadable' &&
      e.checkpoint === 'step-9/model.onnx' &&
      e.message === 'cannot read the model: ENOENT: no such file or directory',
  );
});

test("a client made with spinning off (the extension's) opens sessions whose threads do not spin", async (t) => {
  const { job } = setup(t);
  const logs: string[] = [];
  const client = new ScoringWorkerClient({ spinning: false, log: (_l, m) => logs.push(m) });
  t.after(() => client.dispose());
  const { options, ...rest } = job;
  await client.score({ ...rest, options: { ...options, allowSpinning: undefined } });
  assert.ok(
    logs.some((l) => l.startsWith('step-1/model.onnx: session on cpu') && l.endsWith(', not spinning')),
    logs.join('\n'),
  );
});

test('a job aborted while it waits behind another never reaches the worker; the one running is not disturbed', async (t) => {
  const { job } = setup(t);
  const client = new ScoringWorkerClient();
  t.after(() => client.dispose());
  const started: string[] = [];
  const controller = new AbortController();
  const first = client.score({ ...job, onProgress: () => started.push('j1') });
  const second = client.score({ ...job, jobId: 'j2', signal: controller.signal, onProgress: () => started.push('j2') });
  controller.abort();
  const a = await first;
  await assert.rejects(second, (e: ScoreError) => e.kind === 'cancelled' && e.message === 'cancelled before it started');
  assert.equal(a.seqLogprob.length, job.evalSet.samples.length);
  assert.deepEqual([...new Set(started)], ['j1']);
});
