// Models with closed-form next-token distributions give exactly those log-probs, through
// the appended head, ragged batches and the float64 sums; bad inputs are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigramModel, constantLogitsModel } from '../../src/core/onnx/models';
import { ScoreError } from '../../src/core/scoreError';
import { scoreModel } from '../../src/scoring/scorer';
import { assertClose, CPU, lcg, logSoftmaxAt, randomSamples, saveModel } from './helpers';
import { tempDir } from '../support/temp';

test('bigram model: every token log-prob is ln softmax(table[previous])[token]', async (t) => {
  const dir = tempDir(t);
  const vocab = 11;
  const r = lcg(7);
  const table = Float32Array.from({ length: vocab * vocab }, () => (r() - 0.5) * 8);
  const modelPath = saveModel(dir, 'bigram', bigramModel({ table, vocab }));
  const samples = randomSamples(23, vocab, 3);
  const res = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: { ...CPU, tokenBudget: 40 } });
  assert.equal(res.provider, 'cpu');
  assert.deepEqual(res.skipped, []);
  samples.forEach((s, i) => {
    const seq = [...s.promptIds, ...s.responseIds];
    let sum = 0;
    for (let j = 0; j < s.responseIds.length; j++) {
      const prev = seq[s.promptIds.length + j - 1];
      const want = logSoftmaxAt(table.subarray(prev * vocab, (prev + 1) * vocab), s.responseIds[j]);
      assertClose(res.tokenLogprobs[res.tokenOffsets[i] + j], want, 1e-5, `sample ${i} token ${j}`);
      sum += res.tokenLogprobs[res.tokenOffsets[i] + j];
    }
    // The stored sum is the float64 sum of the stored float32 per-token values.
    assert.equal(res.seqLogprob[i], sum);
    assert.equal(res.tokenCounts[i], s.responseIds.length);
  });
  assert.equal(
    res.tokens,
    samples.reduce((a, s) => a + s.promptIds.length + s.responseIds.length, 0),
  );
});

test('constant model: uniform logits give exactly -|y| ln V per sample', async (t) => {
  const dir = tempDir(t);
  const vocab = 16;
  const modelPath = saveModel(dir, 'uniform', constantLogitsModel({ logits: new Array(vocab).fill(0.25) }));
  const samples = randomSamples(9, vocab, 5);
  const res = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: CPU });
  samples.forEach((s, i) =>
    assertClose(res.seqLogprob[i], -s.responseIds.length * Math.log(vocab), 1e-5 * s.responseIds.length, `sample ${i}`),
  );
});

test('a sample with a token id beyond the vocabulary is skipped and named; the others are scored exactly', async (t) => {
  const dir = tempDir(t);
  const modelPath = saveModel(dir, 'small', constantLogitsModel({ logits: [0, 0, 0, 0] }));
  const samples = randomSamples(4, 4, 1);
  samples[2].responseIds = Int32Array.from([1, 2, 9]);
  const warnings: string[] = [];
  const res = await scoreModel({
    modelPath,
    evalFile: 'data/eval.jsonl',
    samples,
    options: CPU,
    log: (l, m) => {
      if (l === 'warning') warnings.push(m);
    },
  });
  assert.deepEqual(res.skipped, [
    { index: 2, line: 3, id: 's2', reason: "has token id 9 (response token 2), outside the model's vocabulary of 4; skipped" },
  ]);
  assert.deepEqual(warnings, ["data/eval.jsonl:3 (id s2) has token id 9 (response token 2), outside the model's vocabulary of 4; skipped"]);
  samples.forEach((s, i) => {
    if (i === 2) assert.ok(Number.isNaN(res.seqLogprob[i]));
    else assertClose(res.seqLogprob[i], -s.responseIds.length * Math.log(4), 1e-5, `sample ${i}`);
  });
});

test('token ids beyond the vocabulary in more than 1% of the samples (and more than one) fail the checkpoint naming them', async (t) => {
  const dir = tempDir(t);
  const modelPath = saveModel(dir, 'small', constantLogitsModel({ logits: [0, 1, 2, 3] }));
  const samples = randomSamples(4, 4, 1);
  samples[2].responseIds = Int32Array.from([1, 2, 9]);
  samples[3].promptIds = Int32Array.from([4]);
  await assert.rejects(
    scoreModel({ modelPath, evalFile: 'data/eval.jsonl', samples, options: CPU }),
    (e: ScoreError) =>
      e.kind === 'bad-data' &&
      e.checkpoint === modelPath &&
      e.file === 'data/eval.jsonl' &&
      e.sample?.line === 3 &&
      e.sample.id === 's2' &&
      e.message ===
        "2 of 4 samples have token ids outside the model's vocabulary of 4: data/eval.jsonl:3 (id s2): response token 2 is id 9; data/eval.jsonl:4 (id s3): prompt token 0 is id 4. " +
          'Was the eval set tokenized with another tokenizer? (A few such samples, up to 1% of the eval set, would be skipped; this many fail the checkpoint.)',
  );
});

test('samples longer than the stated context are skipped with NaN, the rest scored', async (t) => {
  const dir = tempDir(t);
  const modelPath = saveModel(dir, 'ctx', constantLogitsModel({ logits: [0, 0] }));
  writeFileSync(join(dir, 'ctx', 'config.json'), JSON.stringify({ n_positions: 5 }));
  const samples = randomSamples(6, 2, 9, 3, 3);
  samples[0].promptIds = Int32Array.from([1, 1, 1]);
  samples[0].responseIds = Int32Array.from([0, 0, 0]);
  const res = await scoreModel({ modelPath, evalFile: 'e.jsonl', samples, options: CPU });
  const long = samples.filter((s) => s.promptIds.length + s.responseIds.length > 5).map((s) => s.index);
  assert.ok(long.includes(0));
  assert.deepEqual(
    res.skipped.map((s) => s.index),
    long,
  );
  assert.match(res.skipped[0].reason, /6 tokens, more than the model's context of 5/);
  samples.forEach((s, i) => {
    if (long.includes(i)) assert.ok(Number.isNaN(res.seqLogprob[i]));
    else assertClose(res.seqLogprob[i], -s.responseIds.length * Math.LN2, 1e-5, `sample ${i}`);
  });
});

test('a model without the causal-LM signature is refused with what it has and what we need', async (t) => {
  const dir = tempDir(t);
  const m = constantLogitsModel({ logits: [0, 1] });
  const modelPath = saveModel(dir, 'odd', m);
  // Rename the output in the serialized bytes: same length, so the protobuf stays valid.
  const bytes = Buffer.from(m.model);
  const at = bytes.indexOf('logits\x12');
  assert.ok(at >= 0);
  bytes.write('scores', at);
  writeFileSync(modelPath, bytes);
  await assert.rejects(
    scoreModel({ modelPath, evalFile: 'e.jsonl', samples: randomSamples(1, 2, 1), options: CPU }),
    (e: ScoreError) =>
      e.kind === 'bad-model' &&
      e.checkpoint === modelPath &&
      /^it has no logits output\. The model has inputs input_ids int64/.test(e.message) &&
      /we need input_ids/.test(e.message),
  );
});
