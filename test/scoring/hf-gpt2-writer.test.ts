// The project's generated GPT-2 written both ways, as an ONNX export (our writer) and as a
// Hugging Face checkpoint (the same numbers under transformers' names), scores the same
// from each, and both equal the independent float64 forward pass of gpt2-reference.ts. The
// bench relies on the two being one model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gpt2Model, gpt2Weights, type Gpt2Options } from '../../src/core/onnx/models';
import { scoreModel } from '../../src/scoring/scorer';
import { writeGpt2Checkpoint } from '../support/gpt2Safetensors';
import { referenceLogits } from '../unit/onnx/gpt2-reference';
import { CPU, logSoftmaxAt, randomSamples, saveModel } from './helpers';
import { tempDir } from '../support/temp';

test('our GPT-2 as ONNX and as safetensors equals the float64 reference', async (t) => {
  const o: Gpt2Options = { layers: 2, width: 32, heads: 4, vocab: 50, context: 40, seed: 11, initScale: 0.3 };
  const w = gpt2Weights(o);
  const dir = tempDir(t);
  const onnx = saveModel(dir, 'onnx', gpt2Model(o, w));
  mkdirSync(join(dir, 'hf'));
  const st = await writeGpt2Checkpoint(join(dir, 'hf'), o, w);
  const samples = randomSamples(12, o.vocab, 5, 10, 12);
  const want = samples.map((s) => {
    const ids = [...s.promptIds, ...s.responseIds];
    const logits = referenceLogits(
      o,
      w,
      ids,
      ids.map(() => 1),
    );
    return [...s.responseIds].reduce((a, y, j) => a + logSoftmaxAt(logits[s.promptIds.length + j - 1]!, y), 0);
  });
  for (const modelPath of [onnx, st]) {
    const r = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: CPU });
    const worst = Math.max(...want.map((v, i) => Math.abs(r.seqLogprob[i] - v)));
    assert.ok(worst < 1e-4, `${modelPath}: largest difference ${worst}`);
  }
});
