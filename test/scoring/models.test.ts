// The writer's models load in onnxruntime-node and compute what they were built to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { bigramModel, constantLogitsModel, gpt2Model, gpt2Weights, writeModel, type Gpt2Options } from '../../src/core/onnx/models';
import { GraphBuilder } from '../../src/core/onnx/builder';
import { appendGraphFragment, encodeGraphFragment } from '../../src/core/onnx/encode';
import { DataType } from '../../src/core/onnx/schema';
import { referenceLogits } from '../unit/onnx/gpt2-reference';
import { tempDir } from '../support/temp';

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

async function runAll(model: Uint8Array | string, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const s = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

async function run(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  return (await runAll(model, feeds)).logits!;
}

test('the constant model gives its closed-form log-probs at every position', async () => {
  const logits = [0.25, -3, 1.5, 2, 0];
  const ids = [
    [1, 2, 3],
    [4, 0, 0],
  ];
  const out = await run(constantLogitsModel({ logits }).model, {
    input_ids: i64(ids),
    attention_mask: i64([
      [1, 1, 1],
      [1, 0, 0],
    ]),
  });
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
  const ids = [
    [3, 6, 0, 2],
    [5, 5, 1, 0],
  ];
  const model = bigramModel({ table, vocab }).model;
  const a = await run(model, {
    input_ids: i64(ids),
    attention_mask: i64([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]),
  });
  const b = await run(model, {
    input_ids: i64(ids),
    attention_mask: i64([
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]),
  });
  assert.deepEqual(a.dims, [2, 4, vocab]);
  assert.deepEqual(a.data, b.data);
  const data = a.data as Float32Array;
  ids.flat().forEach((tok, p) => {
    const got = data.subarray(p * vocab, p * vocab + vocab);
    const want = table.subarray(tok * vocab, tok * vocab + vocab);
    for (let k = 0; k < vocab; k++) assert.equal(logSoftmax64(got, k), logSoftmax64(want, k));
  });
});

// Small enough to run in milliseconds; initScale 0.3 makes attention far from uniform, so a
// wrong mask or position shows in the logits.
const small: Gpt2Options = { layers: 2, width: 32, heads: 4, vocab: 40, context: 12, seed: 7, initScale: 0.3 };
const HD = small.width / small.heads;

function emptyPast(o: Gpt2Options, batch: number, feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  for (let l = 0; l < o.layers; l++) {
    for (const kv of ['key', 'value']) {
      feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [batch, o.heads, 0, HD]);
    }
  }
  return feeds;
}

function rowsOf(t: ort.Tensor): Float32Array[] {
  const v = t.dims[2]!;
  const data = t.data as Float32Array;
  return Array.from({ length: data.length / v }, (_, p) => data.subarray(p * v, (p + 1) * v));
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]} (tol ${tol})`);
  }
}

const ids = [
  [5, 17, 3, 39, 0, 22],
  [8, 8, 1, 30, 0, 0],
  [0, 0, 12, 4, 9, 33],
];
const mask = [
  [1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0, 0],
  [0, 0, 1, 1, 1, 1],
];

test('GPT-2 logits match a float64 reference on a ragged batch (right and left padding)', async () => {
  const w = gpt2Weights(small);
  const out = await run(gpt2Model(small, w).model, { input_ids: i64(ids), attention_mask: i64(mask) });
  assert.deepEqual(out.dims, [3, 6, small.vocab]);
  const rows = rowsOf(out);
  ids.forEach((row, b) => {
    referenceLogits(small, w, row, mask[b]!).forEach((want, t) => assertClose(rows[b * 6 + t]!, want, 1e-4, `row ${b} position ${t}`));
  });
  // Padding changes nothing at the attended positions: row 1 alone, unpadded.
  const alone = rowsOf(await run(gpt2Model(small, w).model, { input_ids: i64([[8, 8, 1, 30]]), attention_mask: i64([[1, 1, 1, 1]]) }));
  for (let t = 0; t < 4; t++) assertClose(rows[6 + t]!, alone[t]!, 1e-5, `padded vs alone ${t}`);
});

test('GPT-2 with position_ids equals the mask-derived positions, and uses what it is given', async () => {
  const w = gpt2Weights(small);
  const plain = (await run(gpt2Model(small, w).model, { input_ids: i64(ids), attention_mask: i64(mask) })).data;
  const model = gpt2Model({ ...small, positionIds: true }, w).model;
  const derived = mask.map((m) => {
    let c = 0;
    return m.map((v) => Math.max((c += v) - 1, 0));
  });
  const given = await run(model, { input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(derived) });
  assertClose(given.data as Float32Array, plain as Float32Array, 1e-5, 'position_ids');
  const shifted = derived.map((r) => r.map((p) => p + 1));
  const other = rowsOf(await run(model, { input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(shifted) }));
  assertClose(other[0]!, referenceLogits(small, w, ids[0]!, mask[0]!, shifted[0])[0]!, 1e-4, 'shifted positions');
});

test('GPT-2 with past: zero-length past equals no past, and past + rest equals the whole', async () => {
  const o = { ...small, past: true };
  const w = gpt2Weights(o);
  const model = gpt2Model(o, w).model;
  const whole = await runAll(model, emptyPast(o, 3, { input_ids: i64(ids), attention_mask: i64(mask) }));
  const plain = await run(gpt2Model(small, w).model, { input_ids: i64(ids), attention_mask: i64(mask) });
  assertClose(whole.logits!.data as Float32Array, plain.data as Float32Array, 1e-5, 'empty past');
  assert.deepEqual(whole['present.1.value']!.dims, [3, small.heads, 6, HD]);
  // First 4 tokens, then the last 2 with the first call's present as past.
  const first = await runAll(
    model,
    emptyPast(o, 3, { input_ids: i64(ids.map((r) => r.slice(0, 4))), attention_mask: i64(mask.map((r) => r.slice(0, 4))) }),
  );
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids.map((r) => r.slice(4))), attention_mask: i64(mask) };
  for (let l = 0; l < o.layers; l++) {
    for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = first[`present.${l}.${kv}`]!;
  }
  const rest = await runAll(model, feeds);
  const wholeRows = rowsOf(whole.logits!),
    restRows = rowsOf(rest.logits!);
  for (let b = 0; b < 3; b++) {
    for (let t = 0; t < 2; t++) assertClose(restRows[b * 2 + t]!, wholeRows[b * 6 + 4 + t]!, 1e-5, `continued ${b},${t}`);
  }
  assertClose(rest['present.0.key']!.data as Float32Array, whole['present.0.key']!.data as Float32Array, 1e-5, 'present');
});

test('the merged decoder: use_cache_branch=false runs without past, true continues a past', async () => {
  const o = { ...small, merged: true };
  const w = gpt2Weights(o);
  const model = gpt2Model(o, w).model;
  const flag = (v: boolean): ort.Tensor => new ort.Tensor('bool', [v], [1]);
  const plain = await run(gpt2Model(small, w).model, { input_ids: i64(ids), attention_mask: i64(mask) });
  const noCache = await runAll(model, emptyPast(o, 3, { input_ids: i64(ids), attention_mask: i64(mask), use_cache_branch: flag(false) }));
  assertClose(noCache.logits!.data as Float32Array, plain.data as Float32Array, 1e-5, 'no-cache branch');
  const feeds: Record<string, ort.Tensor> = {
    input_ids: i64(ids.map((r) => r.slice(5))),
    attention_mask: i64(mask),
    use_cache_branch: flag(true),
  };
  for (let l = 0; l < o.layers; l++) {
    for (const kv of ['key', 'value']) {
      const t = noCache[`present.${l}.${kv}`]!;
      const full = t.data as Float32Array;
      const cut = new Float32Array(3 * small.heads * 5 * HD);
      for (let bh = 0; bh < 3 * small.heads; bh++) cut.set(full.subarray(bh * 6 * HD, bh * 6 * HD + 5 * HD), bh * 5 * HD);
      feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', cut, [3, small.heads, 5, HD]);
    }
  }
  const last = rowsOf((await runAll(model, feeds)).logits!);
  const plainRows = rowsOf(plain);
  for (let b = 0; b < 3; b++) assertClose(last[b]!, plainRows[b * 6 + 5]!, 1e-5, `cache branch ${b}`);
});

test('float16 logits are the float32 logits rounded', async () => {
  const w = gpt2Weights(small);
  const feeds = { input_ids: i64(ids), attention_mask: i64(mask) };
  const half = await run(gpt2Model({ ...small, float16Logits: true }, w).model, feeds);
  assert.equal(half.type, 'float16');
  const full = (await run(gpt2Model(small, w).model, feeds)).data as Float32Array;
  const h = half.data as Uint16Array;
  const f16 = (b: number): number => {
    const e = (b >> 10) & 31,
      m = b & 1023,
      s = b >> 15 ? -1 : 1;
    return s * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
  };
  full.forEach((v, i) => assert.ok(Math.abs(f16(h[i]!) - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25, `logit ${i}`));
});

test('weights in an external file load from a folder and give the same logits', async (t) => {
  const dir = tempDir(t);
  const w = gpt2Weights(small);
  const built = gpt2Model({ ...small, externalData: true }, w);
  assert.equal(built.externalData?.fileName, 'model.onnx_data');
  writeModel(dir, 'model.onnx', built);
  assert.ok(statSync(join(dir, 'model.onnx')).size < 64 * 1024);
  const feeds = { input_ids: i64(ids), attention_mask: i64(mask) };
  const ext = (await runAll(join(dir, 'model.onnx'), feeds)).logits!;
  const inline = await run(gpt2Model(small, w).model, feeds);
  assert.deepEqual(ext.data, inline.data);
});

test('a graph fragment appended to the bytes of a model with external data extends it in onnxruntime', async (t) => {
  const dir = tempDir(t);
  const w = gpt2Weights(small);
  writeModel(dir, 'model.onnx', gpt2Model({ ...small, externalData: true }, w));
  // The log-prob head the scorer appends: log-softmax over the vocabulary, gathered at the labels.
  const head = new GraphBuilder('head', 'head/');
  head.input('labels', DataType.INT64, ['batch_size', 'sequence_length']);
  const lsm = head.node('LogSoftmax', ['logits'], { axis: -1 });
  const at = head.node('Unsqueeze', ['labels', head.constI64([2])]);
  head.node('Squeeze', [head.node('GatherElements', [lsm, at], { axis: 2 }), head.constI64([2])], {}, 'token_logprobs');
  head.output('token_logprobs', DataType.FLOAT, ['batch_size', 'sequence_length']);
  const { name: _n, ...frag } = head.graph();
  const extended = join(dir, 'extended.onnx');
  writeFileSync(extended, appendGraphFragment(readFileSync(join(dir, 'model.onnx')), encodeGraphFragment(frag)));
  const labels = ids.map((r) => r.map((t) => (t * 7 + 3) % small.vocab));
  const s = await ort.InferenceSession.create(extended);
  try {
    const out = await s.run({ input_ids: i64(ids), attention_mask: i64(mask), labels: i64(labels) }, ['token_logprobs']);
    const lp = out.token_logprobs!;
    assert.deepEqual(lp.dims, [3, 6]);
    const logits = rowsOf(await run(gpt2Model(small, w).model, { input_ids: i64(ids), attention_mask: i64(mask) }));
    labels.flat().forEach((k, p) => {
      assert.ok(Math.abs((lp.data as Float32Array)[p]! - logSoftmax64(logits[p]!, k)) < 1e-5, `position ${p}`);
    });
  } finally {
    await s.release();
  }
});
