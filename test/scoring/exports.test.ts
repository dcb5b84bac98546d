// Checkpoints exported by a plain torch.onnx.export (test/fixtures/exports, made by
// scripts/fixtures/onnx_exports.py) score to PyTorch's numbers or fail with our message, never
// with onnxruntime's: a fixed-shape export is fed exactly its shape; a position table the graph
// gathers by position caps the sample length when no config.json states it; a sample that fails
// alone is skipped and named while the rest is scored; a fixed past is refused up front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as runs } from '../../src/cli/runs';
import { command as score } from '../../src/cli/score';
import { scoreModel } from '../../src/scoring/scorer';
import type { WireSample } from '../../src/shared/workerProtocol';
import { callCommand, REPO, settle } from '../support/cli';
import { tempRun } from '../support/temp';
import { scoreRunFolder } from '../support/scoreRun';
import { CPU } from './helpers';

const FIXTURES = join(REPO, 'test', 'fixtures', 'exports');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { models: Record<string, (number | null)[]> };
const EVAL = readFileSync(join(FIXTURES, 'eval.jsonl'), 'utf8');
const samples: WireSample[] = EVAL.trim()
  .split('\n')
  .map((l, index) => {
    const o = JSON.parse(l) as { id: string; prompt_ids: number[]; response_ids: number[] };
    return { index, line: index + 1, id: o.id, promptIds: Int32Array.from(o.prompt_ids), responseIds: Int32Array.from(o.response_ids) };
  });

const STEPS: Record<number, string> = { 1: 'fixed.onnx', 2: 'dynamic.onnx', 3: 'sliced.onnx', 4: 'fixed-past.onnx' };

function exportsRun(t: { after(fn: () => void): void }): string {
  const root = tempRun(t, { 'eval.jsonl': EVAL });
  for (const [step, file] of Object.entries(STEPS)) {
    mkdirSync(join(root, `step-${step}`));
    copyFileSync(join(FIXTURES, file), join(root, `step-${step}`, 'model.onnx'));
  }
  return root;
}

/** Scores equal PyTorch's float64 sums to float32 accuracy; null there is NaN here. */
function assertScores(got: Float64Array, want: (number | null)[], what: string): void {
  assert.equal(got.length, want.length);
  want.forEach((w, i) => {
    if (w === null) assert.ok(Number.isNaN(got[i]), `${what} sample ${i}: skipped`);
    else assert.ok(Math.abs(got[i] - w) <= 1e-5 * Math.max(1, Math.abs(w)), `${what} sample ${i}: ${got[i]} vs PyTorch ${w}`);
  });
}

test("each export scores to PyTorch's numbers at any budget, fixed shapes fed exactly their shape", async () => {
  for (const file of ['fixed.onnx', 'dynamic.onnx', 'sliced.onnx']) {
    // Budget 8: one sample per batch (a fixed batch still runs 2 rows); 4096: everything in one batch.
    for (const tokenBudget of [8, 20, 4096]) {
      const r = await scoreModel({ modelPath: join(FIXTURES, file), evalFile: 'eval.jsonl', samples, options: { ...CPU, tokenBudget } });
      assertScores(r.seqLogprob, expected.models[file], `${file} at budget ${tokenBudget}`);
    }
  }
});

test('score: fixed shapes and position tables skip what the model cannot take, a fixed past is refused, all in our words', async (t) => {
  const root = exportsRun(t);
  const r = await callCommand(score, [root, '--provider', 'cpu']);
  assert.equal(r.code, 1, r.err);
  const evalPath = join(root, 'eval.jsonl');
  const lines = r.err.split('\n');
  const has = (l: string) => assert.ok(lines.includes(l), `missing: ${l}\n--- stderr:\n${r.err}`);
  const fixed = 'the sequence length 7 the model was exported with (fixed: no dynamic axes)';
  has(`warning: step-1/model.onnx: ${evalPath}:4 (id d) has 10 tokens, more than ${fixed}; skipped, not truncated`);
  has(`warning: step-1/model.onnx: ${evalPath}:5 (id long) has 20 tokens, more than ${fixed}; skipped, not truncated`);
  has(
    `warning: step-2/model.onnx: ${evalPath}:5 (id long) has 20 tokens, more than the 16 positions of the model's position table wpe.weight; skipped, not truncated`,
  );
  has(
    `warning: step-3/model.onnx: ${evalPath}:5 (id long) fails even run alone (20 tokens; the model states no context length, so it is likely longer than the model takes); skipped`,
  );
  has(
    'failed: step-4/model.onnx: it was exported with fixed shapes we cannot score within: input_ids has a fixed sequence length of 1, too short for a prompt token and a response token; ' +
      'attention_mask has a fixed sequence length of 8 but input_ids has 1; past_key_values.0.key (and 1 more past input) has a fixed past length of 7, where we score whole sequences and feed an empty past; ' +
      'export it with dynamic axes (torch.onnx.export(..., dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, ...}) for every input and output). ' +
      'The model has inputs input_ids int64 [2, 1], attention_mask int64 [2, 8], past_key_values.0.key float32 [2, 2, 7, 4], past_key_values.0.value float32 [2, 2, 7, 4] and outputs logits float32 [2, 1, 32], present.0.key float32 [2, 2, 8, 4], present.0.value float32 [2, 2, 8, 4]; ' +
      'we need input_ids [batch, seq] int64/int32, optional attention_mask, position_ids, past_key_values.<i>.key/value, use_cache_branch; output logits [batch, seq, vocab] float32/float16.',
  );
  assert.match(r.err, /^4 checkpoint\(s\): 3 scored in [\d.]+ s, 0 from the store \([\d.]+ s\), 1 failed \(step-4\/model\.onnx\)$/m);
  assert.doesNotMatch(
    r.err,
    /Got invalid dimensions|Gather node|Non-zero status|onnxruntime_src|BroadcastIterator/,
    'no raw onnxruntime error reaches the user',
  );

  // What was stored is PyTorch's numbers, with each skipped sample and its reason.
  const again = await scoreRunFolder(root, { provider: 'cpu', settleMs: 0 });
  for (const o of again.outcomes.filter((x) => x.entry.step !== 4)) {
    assert.equal(o.reused, true);
    assertScores(o.record!.scores.seqLogprob, expected.models[STEPS[o.entry.step]], o.entry.path);
  }
  const skipped = (step: number) => again.outcomes.find((o) => o.entry.step === step)!.record!.info.skipped.map((k) => k.id);
  assert.deepEqual([skipped(1), skipped(2), skipped(3)], [['d', 'long'], ['long'], ['long']]);
});

test('runs names the export it cannot score and the samples the others will skip, before any scoring', async (t) => {
  const root = exportsRun(t);
  // runs lists checkpoints written in the last 2 s as pending (it does not wait for them).
  await settle();
  const r = await callCommand(runs, [root, '--json']);
  assert.equal(r.code, 0, r.err);
  const problems = (JSON.parse(r.out) as { problems: { file: string; message: string }[] }).problems;
  const by = Object.fromEntries(problems.map((p) => [p.file, p.message]));
  assert.deepEqual(Object.keys(by), ['step-1/model.onnx', 'step-2/model.onnx', 'step-4/model.onnx']);
  assert.equal(
    by['step-1/model.onnx'],
    '2 eval sample(s) will be skipped (and left out for every checkpoint): ' +
      'eval.jsonl:4 (id d) has 10 tokens, more than the sequence length 7 the model was exported with (fixed: no dynamic axes); skipped, not truncated; ' +
      'eval.jsonl:5 (id long) has 20 tokens, more than the sequence length 7 the model was exported with (fixed: no dynamic axes); skipped, not truncated',
  );
  assert.equal(
    by['step-2/model.onnx'],
    "1 eval sample(s) will be skipped (and left out for every checkpoint): eval.jsonl:5 (id long) has 20 tokens, more than the 16 positions of the model's position table wpe.weight; skipped, not truncated",
  );
  assert.match(
    by['step-4/model.onnx'],
    /^cannot be scored: it was exported with fixed shapes we cannot score within: input_ids has a fixed sequence length of 1, .*export it with dynamic axes/,
  );
});
