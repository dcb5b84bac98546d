// Every Hugging Face family and variant scored straight from its safetensors files equals
// PyTorch's float64 scores (scripts/fixtures/hf.py transcribes the transformers modelling
// code), within 1e-4 per sample for float32 weights and 1e-3 for fp16/bf16; the same
// weights exported by torch.onnx.export, scored by the ONNX path, agree too, which checks
// the reference itself. Budgets from one sample per batch to everything in one batch give
// the packed rows different neighbours each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { scoreModel } from '../../src/scoring/scorer';
import { CPU } from './helpers';
import { tempDir } from '../support/temp';
import { hfFixtures, hfSamples, hfTolerance } from '../support/hfFixtures';

for (const f of hfFixtures) {
  test(`${f.name} (${f.modelType}, ${f.dtype}) from safetensors and from its ONNX export equals PyTorch`, async () => {
    const tol = hfTolerance(f);
    for (const [way, modelPath, budgets] of [
      ['safetensors', f.entry, [16, 64, 4096]],
      ['onnx export', f.onnx, [64]],
    ] as const) {
      for (const tokenBudget of budgets) {
        const r = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples: hfSamples, options: { ...CPU, tokenBudget } });
        assert.deepEqual(r.skipped, []);
        const worst = Math.max(...f.expected.map((e, i) => Math.abs(r.seqLogprob[i] - e)));
        assert.ok(worst <= tol, `${way}, budget ${tokenBudget}: largest difference ${worst} > ${tol}`);
        // Per-token log-probs sum to the per-sample ones.
        for (let i = 0; i < hfSamples.length; i++) {
          const t = r.tokenLogprobs.subarray(r.tokenOffsets[i], r.tokenOffsets[i + 1]).reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(t - r.seqLogprob[i]) < 1e-4);
        }
      }
    }
  });
}

test('the fixtures cover every family, both transformers generations, fp16, bf16 and shards', () => {
  const types = new Set(hfFixtures.map((f) => f.modelType));
  for (const t of ['gpt2', 'gpt_neox', 'llama', 'mistral', 'qwen2', 'olmo2']) assert.ok(types.has(t), t);
  assert.ok(hfFixtures.some((f) => f.dtype === 'F16'));
  assert.ok(hfFixtures.some((f) => f.dtype === 'BF16'));
  assert.ok(hfFixtures.some((f) => f.entry.endsWith('.index.json')));
});

test('a checkpoint in the Hugging Face cache layout (files linked to blobs) scores the same', async (t) => {
  // onnxruntime refuses external data reached through a link ("escapes model directory"),
  // so the scorer locates the weights in the blobs' own folder.
  const f = hfFixtures.find((x) => x.name === 'llama-tied-linear-sharded')!;
  const dir = tempDir(t);
  mkdirSync(join(dir, 'blobs'));
  mkdirSync(join(dir, 'snapshots', 'rev'), { recursive: true });
  readdirSync(f.dir)
    .filter((n) => n !== 'onnx')
    .forEach((name, i) => {
      cpSync(join(f.dir, name), join(dir, 'blobs', `blob${i}`));
      symlinkSync(join('..', '..', 'blobs', `blob${i}`), join(dir, 'snapshots', 'rev', name));
    });
  const r = await scoreModel({
    modelPath: join(dir, 'snapshots', 'rev', 'model.safetensors.index.json'),
    evalFile: 'eval.jsonl',
    samples: hfSamples,
    options: CPU,
  });
  const worst = Math.max(...f.expected.map((e, i) => Math.abs(r.seqLogprob[i] - e)));
  assert.ok(worst <= hfTolerance(f), `largest difference ${worst}`);
});

test("issue 13's sample checks hold for safetensors: too long and out-of-vocabulary samples are skipped, the rest exact", async () => {
  const f = hfFixtures.find((x) => x.name === 'llama')!;
  const n = hfSamples.length;
  const long = { index: n, line: n + 1, id: 'long', promptIds: new Int32Array(30).fill(3), responseIds: new Int32Array(10).fill(4) };
  const stray = { index: n + 1, line: n + 2, id: 'stray', promptIds: Int32Array.from([1, 2]), responseIds: Int32Array.from([70]) };
  // More samples than 100, so one stray id stays under the 1% rule and is skipped, not a mismatch.
  const filler = Array.from({ length: 100 }, (_, k) => ({ ...hfSamples[k % n], index: n + 2 + k, line: n + 3 + k, id: `f${k}` }));
  const samples = [...hfSamples, long, stray, ...filler];
  const r = await scoreModel({ modelPath: f.entry, evalFile: 'eval.jsonl', samples, options: { ...CPU, tokenBudget: 256 } });
  assert.deepEqual(
    r.skipped.map((s) => [s.id, s.reason]),
    [
      ['long', "has 40 tokens, more than the model's context of 32; skipped, not truncated"],
      ['stray', "has token id 70 (response token 0), outside the model's vocabulary of 64; skipped"],
    ],
  );
  assert.ok(Number.isNaN(r.seqLogprob[n]) && Number.isNaN(r.seqLogprob[n + 1]));
  const worst = Math.max(...f.expected.map((e, i) => Math.abs(r.seqLogprob[i] - e)));
  assert.ok(worst <= hfTolerance(f), `largest difference ${worst}`);
  // The same sample in other company scores the same, but for float32 sums taken in another order.
  filler.forEach((s, k) => assert.ok(Math.abs(r.seqLogprob[s.index] - r.seqLogprob[k % n]) < 1e-5, `${s.id}`));
});
