// docs/metrics.md's known answers end to end: ONNX models written by our writer, scored by
// onnxruntime through `checkpoint-coverage report --json`, against closed forms and float64
// enumerations done here independently of src/core/metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bigramModel, constantLogitsModel, writeModel } from '../../src/core/onnx/models';
import { allBinary, bernoulliLogits, reportJson, row, writeRun } from './cli-report.fixture';
import { assertClose, lcg, logSoftmaxAt } from './helpers';
import { tempDir } from '../support/temp';

const H = 8;
const LN_HALF = Math.log(0.5);

/** #{y ∈ {0,1}^8 : 8·ln 0.5 − ln q(y) ≥ ln N} / 256 by enumeration, and the mean of L. */
function bernoulliTruth(q: number, N: number): number {
  let k = 0;
  for (const y of allBinary(H)) {
    const s = y.reduce((acc, b) => acc + Math.log(b ? q : 1 - q), 0);
    if (H * LN_HALF - s >= Math.log(N)) k++;
  }
  return k / 2 ** H;
}

test('H = 8 product Bernoulli: Cov_2 = 37/256, Cov_4 = 1/256, Cov_16 = 0, KL = 0.163288; the generator itself covers all', async (t) => {
  const dir = tempDir(t);
  writeRun(dir, {
    lines: allBinary(H).map((y) => ({ prompt: [0], response: y, ref: H * LN_HALF })),
    models: { 1: constantLogitsModel({ logits: bernoulliLogits(0.4) }), 2: constantLogitsModel({ logits: bernoulliLogits(0.5) }) },
  });
  const { json } = await reportJson([dir], dir);
  assert.equal(json.reference, 'generator', 'chosen from the data: every line has ref_logprob');
  const q4 = row(json, 1);
  assert.equal(q4.samples, 256);
  assert.equal(q4.tokens, 256 * H);
  assert.equal(q4.coverage['2'], 37 / 256);
  assert.equal(q4.coverage['4'], 1 / 256);
  assert.equal(q4.coverage['16'], 0);
  for (const N of [2, 4, 16, 64]) assert.equal(q4.coverage[String(N)], bernoulliTruth(0.4, N), `Cov_${N} against the enumeration`);
  const kl = H * (0.5 * Math.log(0.5 / 0.4) + 0.5 * Math.log(0.5 / 0.6));
  assertClose(kl, 0.163288, 5e-7, 'closed form vs docs/metrics.md');
  assertClose(q4.kl as number, kl, 1e-5, 'KL');
  assertClose(q4.cePerToken as number, -(0.5 * Math.log(0.4) + 0.5 * Math.log(0.6)), 1e-6, 'CE per token');
  // Self-coverage: the generator's own model under-weights nothing by any factor N > 1.
  const self = row(json, 2);
  for (const [N, v] of Object.entries(self.coverage)) if (Number(N) > 1) assert.equal(v, 0, `self Cov_${N}`);
  assertClose(self.kl as number, 0, 1e-5, 'self KL');
  assert.equal(json.suggested!.step, 2, 'tie at score 0 goes to the lower CE: the generator');
});

test('self-coverage 0 on a bigram model against its own float64 closed form, and against itself as a reference model', async (t) => {
  const dir = tempDir(t);
  const vocab = 6;
  const r = lcg(11);
  const table = Float32Array.from({ length: vocab * vocab }, () => (r() - 0.5) * 6);
  const lines = Array.from({ length: 60 }, () => {
    const prompt = [Math.floor(r() * vocab)];
    const response = Array.from({ length: 1 + Math.floor(r() * 10) }, () => Math.floor(r() * vocab));
    let ref = 0;
    let prev = prompt[0];
    for (const y of response) {
      ref += logSoftmaxAt(table.subarray(prev * vocab, (prev + 1) * vocab), y);
      prev = y;
    }
    return { prompt, response, ref };
  });
  const model = bigramModel({ table, vocab });
  writeRun(dir, { lines, models: { 5: model } });
  mkdirSync(join(dir, 'ref'));
  writeModel(join(dir, 'ref'), 'model.onnx', model);

  const gen = row((await reportJson([dir, '--reference', 'generator'], dir)).json, 5);
  for (const [N, v] of Object.entries(gen.coverage)) if (Number(N) > 1) assert.equal(v, 0, `Cov_${N}`);
  assertClose(gen.kl as number, 0, 1e-5, 'KL against the closed form');

  const { json, err } = await reportJson([dir, '--reference', 'model:ref/model.onnx'], dir);
  assert.deepEqual(json.reference, { model: 'ref/model.onnx' });
  assert.match(err, /reference model ref\/model\.onnx reused/, 'a byte-identical copy of a checkpoint is found in the store');
  const vsModel = row(json, 5);
  assert.equal(vsModel.kl, 0, 'the same engine on the same bytes gives the same numbers');
  for (const [N, v] of Object.entries(vsModel.coverage)) assert.equal(v, Number(N) > 1 ? 0 : 1, `Cov_${N} (L = 0 counts at N = 1)`);
});

test('point mass: π(y*) = 1/16 gives Pass@16 = 0.643926, 1/8 gives 0.881933', async (t) => {
  const dir = tempDir(t);
  const V = 16;
  const star = 3;
  const eighth = new Array<number>(V).fill(0);
  eighth[star] = Math.log(15 / 7); // e^a / (e^a + 15) = 1/8
  writeRun(dir, {
    lines: [0, 1, 2, 3].map((p) => ({ prompt: [p], response: [star] })),
    models: { 1: constantLogitsModel({ logits: new Array<number>(V).fill(0) }), 2: constantLogitsModel({ logits: eighth }) },
  });
  const { json } = await reportJson([dir, '--reference', 'point-mass'], dir);
  assert.equal(json.reference, 'point-mass');
  const [p16, p8] = [row(json, 1), row(json, 2)];
  assertClose(p16.passAt!['16'], 1 - (15 / 16) ** 16, 1e-6, 'Pass@16 at p = 1/16');
  assertClose(p16.passAt!['16'], 0.643926, 5e-7, 'docs/metrics.md figure');
  assertClose(p8.passAt!['16'], 1 - (7 / 8) ** 16, 1e-6, 'Pass@16 at p = 1/8');
  assertClose(p8.passAt!['16'], 0.881933, 5e-7, 'docs/metrics.md figure');
  assertClose(p16.passAt!['1'], 1 / 16, 1e-7, 'Pass@1 = p');
  // Cov_N = share with p ≤ 1/N, away from the exact boundaries float32 blurs.
  assert.deepEqual([p16.coverage['8'], p16.coverage['32'], p8.coverage['4'], p8.coverage['16']], [1, 0, 1, 0]);
});

test('missing mass: probability 0 on 0.1% of samples gives KL "Infinity" and a finite Cov_N = 0.001', async (t) => {
  const dir = tempDir(t);
  const lines = Array.from({ length: 1000 }, (_, i) => {
    const y = i === 500 ? 2 : i % 2;
    return { prompt: [0], response: [y], ref: Math.log(y === 2 ? 0.001 : 0.4995) };
  });
  writeRun(dir, {
    lines,
    models: { 1: constantLogitsModel({ logits: [0, 0, -Infinity] }), 2: constantLogitsModel({ logits: [0, 0, 0] }) },
  });
  const { json } = await reportJson([dir], dir);
  const miss = row(json, 1);
  assert.equal(miss.kl, 'Infinity');
  assert.equal(miss.cePerToken, 'Infinity');
  assert.equal(miss.samples, 1000, 'the zero-probability sample is counted, not skipped');
  for (const [N, v] of Object.entries(miss.coverage)) assert.equal(v, 0.001, `Cov_${N}`);
  assert.equal(json.suggested!.step, 2, 'the checkpoint that gives every sample mass wins');
  assert.equal(miss.tournamentScore, 0.001);
  assert.equal(json.minCrossEntropy!.step, 2, 'an infinite CE is never the lowest');
});

test('tournament: the generator among the candidates wins with score ≤ 1/N; rivals score Cov_16 = 37/256', async (t) => {
  const dir = tempDir(t);
  writeRun(dir, {
    lines: allBinary(H).map((y) => ({ prompt: [1], response: y })),
    models: {
      1: constantLogitsModel({ logits: bernoulliLogits(0.25) }),
      2: constantLogitsModel({ logits: bernoulliLogits(0.5) }),
      3: constantLogitsModel({ logits: bernoulliLogits(0.75) }),
    },
  });
  const { json } = await reportJson([dir], dir);
  assert.equal(json.reference, 'tournament', 'no ref_logprob: the tournament needs none');
  assert.equal(json.selectionN, 16);
  assert.deepEqual(json.suggested, { step: 2, path: 'step-2/model.onnx' });
  const gen = row(json, 2);
  // A[q, gen] ≥ 1/256 only where q out-weighs the fair coin 16×: all zeros (q = 0.25) or all ones (q = 0.75).
  assert.equal(gen.tournamentScore, 1 / 256);
  assert.ok(gen.tournamentScore! <= 1 / 16);
  for (const s of [1, 3]) {
    assert.equal(row(json, s).tournamentScore, 37 / 256, `step ${s}`);
    assert.equal(row(json, s).coverage['16'], 37 / 256, `step ${s}: coverage relative to the generator is Cov_16(π_D‖π_k)`);
    assert.equal(row(json, s).kl, null, 'no densities in tournament mode');
  }
  assert.equal(json.coverageRelativeTo!.step, 2);
  assertClose(json.dev!, Math.sqrt(Math.log((2 * 9) / 0.05) / (2 * 256)), 1e-12, 'dev');
});
