// Bad checkpoints through `checkpoint-coverage score`, all in one run beside good ones: each
// failure names the checkpoint and says what was wrong, the good checkpoints are still scored
// and stored, the exit code is 1, and a NaN never becomes a stored number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as score } from '../../src/cli/score';
import { scoreRunFolder } from '../support/scoreRun';
import { writeModel, type BuiltModel } from '../../src/core/onnx/models';
import { callCommand, settle } from '../support/cli';
import * as bad from '../support/badModels';
import { tempRun } from '../support/temp';

const EVAL = ['{"id":"a","prompt_ids":[1,2],"response_ids":[3,0]}', '{"id":"b","prompt_ids":[1],"response_ids":[9,2]}'].join('\n') + '\n';

const MODELS: Record<number, BuiltModel | Uint8Array | ((dir: string) => void)> = {
  1: bad.goodModel(),
  2: new Uint8Array(0),
  3: bad.truncatedModelBytes(),
  4: Buffer.concat([Buffer.from([0x0c]), bad.randomModelBytes()]),
  5: bad.noLogitsModel(),
  6: bad.rank2LogitsModel(),
  7: bad.intLogitsModel(),
  // Vocabulary 3: both samples hold an id beyond it (a: 3, b: 9), the eval set was made for another model.
  8: bad.goodModel(3),
  9: bad.nonFiniteLogitsModel(NaN),
  10: bad.nonFiniteLogitsModel(Infinity),
  // -Inf on token 0, which sample a's response holds: probability 0, a score of -Infinity.
  11: bad.nonFiniteLogitsModel(-Infinity, 16, 0),
  12: (d) => writeModel(d, 'model.onnx', { model: bad.externalWeightsModel().model }),
  13: (d) => {
    writeModel(d, 'model.onnx', bad.externalWeightsModel());
    truncateSync(join(d, 'model.onnx_data'), 100);
  },
  14: bad.externalWeightsModel(),
  // Vocabulary 4: only sample b (id 9) is beyond it: b is skipped and named, a is scored.
  15: bad.goodModel(4),
};

test('each bad checkpoint fails alone with a message naming it; the good ones are scored', async (t) => {
  const root = tempRun(t, { 'eval.jsonl': EVAL });
  for (const [step, m] of Object.entries(MODELS)) {
    const d = join(root, `step-${step}`);
    mkdirSync(d);
    if (typeof m === 'function') m(d);
    else if (m instanceof Uint8Array) writeFileSync(join(d, 'model.onnx'), m);
    else writeModel(d, 'model.onnx', m);
  }
  await settle();
  const r = await callCommand(score, [root, '--provider', 'cpu']);
  assert.equal(r.code, 1, r.err);
  // Each failure is one line when it happens; the summary counts them and names each path once.
  const lines = r.err.split('\n');
  const bad = [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13];
  const summary = lines.filter((l) => /^15 checkpoint\(s\): /.test(l));
  assert.equal(summary.length, 1, r.err);
  const named = /^15 checkpoint\(s\): 4 scored in [\d.]+ s, 0 from the store \([\d.]+ s\), 11 failed \((.*)\)$/.exec(summary[0]);
  assert.equal(named?.[1], bad.map((s) => `step-${s}/model.onnx`).join(', '), summary[0]);
  const failed = lines.filter((l) => l.startsWith('failed: '));
  const byStep = new Map(failed.map((l) => [Number(/^failed: step-(\d+)\/model\.onnx: /.exec(l)?.[1]), l]));
  assert.equal(failed.length, byStep.size, `one line per failure:\n${failed.join('\n')}`);
  assert.deepEqual([...byStep.keys()], bad, failed.join('\n'));
  // (Step 15's warning names a skipped sample, not a failure.)
  assert.doesNotMatch(r.err, /handler threw|warning: .*step-(?!15\/)\d+\/model\.onnx: /, 'no failure repeated as a worker warning');

  const model = (s: number) => join(root, `step-${s}`, 'model.onnx');
  for (const [s, l] of byStep) assert.ok(!l.includes(`${model(s)}:`) && !l.includes(`'${model(s)}'`), `the checkpoint is named once: ${l}`);
  const expectFail = (s: number, rest: string | RegExp) => {
    const line = byStep.get(s)!;
    const head = `failed: step-${s}/model.onnx: `;
    if (typeof rest === 'string') assert.equal(line, head + rest);
    else assert.match(line.slice(head.length), rest, line);
  };
  const cut = 'not a readable ONNX model: ';
  expectFail(2, `${cut}the file is empty (at byte 0)`);
  expectFail(3, /^not a readable ONNX model: field \d+ declares \d+ bytes but only \d+ remain \(truncated file\?\) \(at byte \d+\)$/);
  expectFail(4, `${cut}field 1 has wire type 4, which ONNX never uses (at byte 0)`);
  expectFail(
    5,
    /^it has no logits output\. The model has inputs .* and outputs scores float32 .*; we need .* output logits \[batch, seq, vocab\] float32\/float16\.$/,
  );
  expectFail(6, /^logits have rank 2, not 3 \[batch, seq, vocab\]\. The model has .* outputs logits float32 \[batch_size, 16\]; we need/);
  expectFail(
    7,
    /^logits are int64, not float32 or float16\. The model has .* outputs logits int64 \[batch_size, sequence_length, 16\]; we need/,
  );
  expectFail(
    8,
    `2 of 2 samples have token ids outside the model's vocabulary of 3: ${join(root, 'eval.jsonl')}:1 (id a): response token 0 is id 3; ${join(root, 'eval.jsonl')}:2 (id b): response token 0 is id 9. ` +
      'Was the eval set tokenized with another tokenizer? (A few such samples, up to 1% of the eval set, would be skipped; this many fail the checkpoint.)',
  );
  assert.ok(
    lines.includes(
      `warning: step-15/model.onnx: ${join(root, 'eval.jsonl')}:2 (id b) has token id 9 (response token 0), outside the model's vocabulary of 4; skipped`,
    ),
    r.err,
  );
  for (const s of [9, 10]) {
    expectFail(
      s,
      `the model gives NaN log-probabilities (NaN or infinite logits) for ${join(root, 'eval.jsonl')}:1 (id a) at response token 0`,
    );
  }
  expectFail(12, `the external weights file model.onnx_data it names is missing (expected at ${join(root, 'step-12', 'model.onnx_data')})`);
  expectFail(13, /^the model does not load: .*bigram_table.*file_length: 100 are out of bounds/);

  // Read back from the store: the good ones are there, the failed ones have no number at all.
  const again = await scoreRunFolder(root, { provider: 'cpu', settleMs: 0 });
  const outcome = (s: number) => again.outcomes.find((o) => o.entry.step === s)!;
  for (const s of [1, 11, 14, 15]) assert.equal(outcome(s).reused, true, `step ${s} stored`);
  for (const s of byStep.keys()) assert.equal(outcome(s).record, undefined, `step ${s} has no record`);
  const inf = outcome(11).record!.scores.seqLogprob;
  assert.equal(inf[0], -Infinity);
  assert.ok(Number.isFinite(inf[1]));
  assert.ok(outcome(1).record!.scores.seqLogprob.every(Number.isFinite));
  const oneSkipped = outcome(15).record!;
  assert.ok(Number.isFinite(oneSkipped.scores.seqLogprob[0]) && Number.isNaN(oneSkipped.scores.seqLogprob[1]));
  assert.deepEqual(
    oneSkipped.info.skipped.map((k) => [k.line, k.id]),
    [[2, 'b']],
  );
});
