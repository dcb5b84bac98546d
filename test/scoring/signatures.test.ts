// Per-token log-probs from the engine (appended head, ragged right-padded batches) against a
// float64 reference from the full logits of the unmodified model, run one sample at a time
// without padding, on random GPT-2-shaped models of every signature we drive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { gpt2Model, type Gpt2Options } from '../../src/core/onnx/models';
import { scoreModel } from '../../src/scoring/scorer';
import type { WireSample } from '../../src/shared/workerProtocol';
import { assertClose, CPU, logSoftmaxAt, randomSamples, saveModel } from './helpers';
import { tempDir } from '../support/temp';

const BASE: Gpt2Options = { layers: 2, width: 32, heads: 4, vocab: 97, context: 48, seed: 5, initScale: 0.3 };

const float16ToNumber = (h: number): number => {
  const e = (h >> 10) & 0x1f,
    m = h & 0x3ff,
    s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
};

/** Full logits of one sample, unpadded, fed the way the export's inputs say; as float64. */
async function referenceLogprobs(session: ort.InferenceSession, s: WireSample): Promise<number[]> {
  const ids = [...s.promptIds, ...s.responseIds];
  const i64 = (v: number[]) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)) };
  for (const [k, meta] of session.inputNames.map((n, i) => [n, session.inputMetadata[i]] as const)) {
    if (k === 'position_ids') feeds[k] = i64(ids.map((_, t) => t));
    if (k === 'use_cache_branch') feeds[k] = new ort.Tensor('bool', Uint8Array.from([0]), [1]);
    if (k.startsWith('past_key_values') && meta.isTensor) {
      feeds[k] = new ort.Tensor('float32', new Float32Array(0), [1, meta.shape[1] as number, 0, meta.shape[3] as number]);
    }
  }
  const logits = (await session.run(feeds, ['logits'])).logits;
  const V = logits.dims[2];
  const data =
    logits.type === 'float16'
      ? Float64Array.from(logits.data as Uint16Array, float16ToNumber)
      : Float64Array.from(logits.data as Float32Array);
  const out: number[] = [];
  for (let j = 0; j < s.responseIds.length; j++) {
    const t = s.promptIds.length + j - 1;
    out.push(logSoftmaxAt(data.subarray(t * V, (t + 1) * V), s.responseIds[j]));
  }
  return out;
}

const variants: [string, Partial<Gpt2Options>][] = [
  ['plain', {}],
  ['position_ids', { positionIds: true }],
  ['past inputs', { past: true }],
  ['merged decoder', { merged: true, positionIds: true }],
  ['float16 logits', { float16Logits: true }],
  ['external weights', { externalData: true }],
];

for (const [name, extra] of variants) {
  test(`${name}: per-token log-probs within 1e-4 of the float64 reference`, async (t) => {
    const dir = tempDir(t);
    const modelPath = saveModel(dir, name.replace(/\W/g, '-'), gpt2Model({ ...BASE, ...extra }));
    if (extra.externalData) assert.ok(readdirSync(dirname(modelPath)).length === 2, 'weights live in a separate file');
    const before = readdirSync(dirname(modelPath)).sort();
    const samples = randomSamples(10, BASE.vocab, 17, 8, 12);
    // A budget that forces several ragged, right-padded batches.
    const res = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: { ...CPU, tokenBudget: 60 } });
    const session = await ort.InferenceSession.create(modelPath);
    t.after(() => session.release());
    for (const [i, s] of samples.entries()) {
      const ref = await referenceLogprobs(session, s);
      let sum = 0;
      ref.forEach((want, j) => {
        assertClose(res.tokenLogprobs[res.tokenOffsets[i] + j], want, 1e-4, `${name} sample ${i} token ${j}`);
        sum += want;
      });
      assertClose(res.seqLogprob[i], sum, 1e-4 * ref.length, `${name} sample ${i} sum`);
    }
    assert.deepEqual(readdirSync(dirname(modelPath)).sort(), before, 'nothing written beside the checkpoint');
  });
}

test('samples longer than the model context (from its metadata) are skipped, not cut', async (t) => {
  const dir = tempDir(t);
  const modelPath = saveModel(dir, 'ctx', gpt2Model({ ...BASE, context: 12 }));
  const samples = randomSamples(8, BASE.vocab, 3, 8, 12);
  const res = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: CPU });
  const long = samples.filter((s) => s.promptIds.length + s.responseIds.length > 12).map((s) => s.line);
  assert.ok(long.length > 0 && long.length < samples.length);
  assert.deepEqual(
    res.skipped.map((s) => s.line),
    long,
  );
});
