// The writer's models load in onnxruntime-node and compute what they were built to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { bigramModel, constantLogitsModel } from '../../src/core/onnx/models';

function i64(rows: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
}

/** ln softmax(x)[k] in float64. */
function logSoftmax64(x: ArrayLike<number>, k: number): number {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]!);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  return x[k]! - max - Math.log(sum);
}

async function run(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const s = await ort.InferenceSession.create(model);
  try {
    return (await s.run(feeds)).logits!;
  } finally {
    await s.release();
  }
}

test('the constant model gives its closed-form log-probs at every position', async () => {
  const logits = [0.25, -3, 1.5, 2, 0];
  const ids = [[1, 2, 3], [4, 0, 0]];
  const out = await run(constantLogitsModel({ logits }).model, { input_ids: i64(ids), attention_mask: i64([[1, 1, 1], [1, 0, 0]]) });
  assert.deepEqual(out.dims, [2, 3, 5]);
  assert.equal(out.type, 'float32');
  const data = out.data as Float32Array;
  const f32 = Float32Array.from(logits);
  for (let p = 0; p < 6; p++) {
    const row = data.subarray(p * 5, p * 5 + 5);
    for (let k = 0; k < 5; k++) assert.equal(logSoftmax64(row, k), logSoftmax64(f32, k));
  }
});

test('the bigram model gives table-row log-probs, whatever the mask', async () => {
  const vocab = 7;
  const table = new Float32Array(vocab * vocab).map((_, i) => Math.sin(i * 1.7) * 4);
  const ids = [[3, 6, 0, 2], [5, 5, 1, 0]];
  const model = bigramModel({ table, vocab }).model;
  const a = await run(model, { input_ids: i64(ids), attention_mask: i64([[1, 1, 1, 1], [1, 1, 0, 0]]) });
  const b = await run(model, { input_ids: i64(ids), attention_mask: i64([[1, 1, 1, 1], [1, 1, 1, 1]]) });
  assert.deepEqual(a.dims, [2, 4, vocab]);
  assert.deepEqual(a.data, b.data);
  const data = a.data as Float32Array;
  ids.flat().forEach((tok, p) => {
    const got = data.subarray(p * vocab, p * vocab + vocab);
    const want = table.subarray(tok * vocab, tok * vocab + vocab);
    for (let k = 0; k < vocab; k++) assert.equal(logSoftmax64(got, k), logSoftmax64(want, k));
  });
});

