// Issue 13's out-of-memory halving on packed rows: a safetensors checkpoint whose batch of long
// rows onnxruntime cannot allocate (the worker is short of address space, as on a machine out of
// memory) is scored in smaller batches by the same live worker, down to one row per batch if
// need be, to the same numbers; the warning says how the rows were packed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gpt2Weights, type Gpt2Options } from '../../src/core/onnx/models';
import { ScoringWorkerClient, type WorkerCrashNotice } from '../../src/run/workerClient';
import { scoreModel } from '../../src/scoring/scorer';
import { bundledWorker } from '../support/bundledWorker';
import { writeGpt2Checkpoint } from '../support/gpt2Safetensors';
import { tempDir } from '../support/temp';
import { CPU, randomSamples } from './helpers';

test(
  'out of memory on packed rows: the scorer halves its batches of rows and goes on, to the same numbers',
  { skip: process.platform !== 'linux' && 'RLIMIT_AS through prlimit' },
  async (t) => {
    // Attention scores are [rows, heads, T, T] floats: 64 rows of 1023 tokens × 4 heads need about
    // 1 GiB for the scores and as much for their softmax, far beyond 600 MiB of headroom.
    const o: Gpt2Options = { layers: 1, width: 32, heads: 4, vocab: 50, context: 1024, seed: 3, initScale: 0.3 };
    const dir = join(tempDir(t), 'step-1');
    mkdirSync(dir);
    const modelPath = await writeGpt2Checkpoint(dir, o, gpt2Weights(o));
    const samples = randomSamples(64, o.vocab, 7, 1, 1).map((s) => ({
      ...s,
      promptIds: new Int32Array(512).fill(s.promptIds[0]),
      responseIds: new Int32Array(512).fill(s.responseIds[0]),
    }));
    const script = bundledWorker(join(__dirname, '..', 'support', 'addressLimitedWorker.ts'));
    t.after(() => rmSync(script, { force: true }));
    process.env.CC_TEST_ADDRESS_HEADROOM_MB = '600';
    t.after(() => {
      delete process.env.CC_TEST_ADDRESS_HEADROOM_MB;
    });
    const logs: string[] = [];
    const notices: WorkerCrashNotice[] = [];
    const client = new ScoringWorkerClient({
      workerScript: script,
      restartBaseMs: 10,
      log: (_l, m) => logs.push(m),
      onCrash: (n) => notices.push(n),
    });
    t.after(() => client.dispose());

    const r = await client.score({
      jobId: 'oom',
      checkpointPath: 'step-1/model.safetensors',
      modelPath,
      evalSet: { hash: 'e', file: 'eval.jsonl', samples },
      options: { ...CPU, tokenBudget: 65536 },
    });
    const halvings = logs.filter((m) => m.includes('out of memory on a batch'));
    assert.ok(halvings.length >= 1, logs.join('\n'));
    assert.equal(
      halvings[0],
      'step-1/model.safetensors: out of memory on a batch of 64 samples packed in 64 rows × 1023 tokens (budget 65536); going on with batches of at most 32736 tokens',
    );
    assert.deepEqual(notices, [], 'the worker never died');
    assert.deepEqual(r.skipped, []);
    // The same numbers as one sample per batch on an unlimited CPU.
    const direct = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: { ...CPU, tokenBudget: 1024 } });
    r.seqLogprob.forEach((v, i) =>
      assert.ok(Math.abs(v - direct.seqLogprob[i]) < 1e-3, `sample ${i}: ${v} against ${direct.seqLogprob[i]}`),
    );
  },
);
