// Hugging Face checkpoint folders in the layout: config.json + model.safetensors (or an
// index and its shards) is a checkpoint whose files are all part of it; ONNX wins over
// safetensors for the same step; pickle-only folders and incomplete ones are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanRun, type ScanOptions } from '../../src/core/layout';
import { checkpointContentHash } from '../../src/core/store/contentHash';
import { tempRun } from '../support/temp';

const settled: ScanOptions = { now: () => Date.now() + 60_000 };
const CONFIG = '{"model_type": "llama"}';
const index = (...shards: string[]) => JSON.stringify({ metadata: {}, weight_map: Object.fromEntries(shards.map((s, i) => [`t${i}`, s])) });

test('a step folder with config.json and model.safetensors or a shard index is a checkpoint', async (t) => {
  const root = tempRun(t, {
    'checkpoint-100/config.json': CONFIG,
    'checkpoint-100/model.safetensors': 'w100',
    'checkpoint-100/optimizer.pt': 'o',
    'checkpoint-100/trainer_state.json': '{}',
    'checkpoint-100/rng_state.pth': 'r',
    'checkpoint-100/training_args.bin': 'a',
    'checkpoint-200/config.json': '{"model_type": "gpt_neox"}',
    'checkpoint-200/model.safetensors.index.json': index('model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'),
    'checkpoint-200/model-00001-of-00002.safetensors': 's1',
    'checkpoint-200/model-00002-of-00002.safetensors': 's2',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(l.problems, []);
  assert.deepEqual(
    l.checkpoints.map((c) => [c.step, c.path, c.format, c.modelType]),
    [
      [100, 'checkpoint-100/model.safetensors', 'safetensors', 'llama'],
      [200, 'checkpoint-200/model.safetensors.index.json', 'safetensors', 'gpt_neox'],
    ],
  );
  assert.deepEqual(l.checkpoints[0].dataPaths, [join(root, 'checkpoint-100/config.json')]);
  assert.deepEqual(
    l.checkpoints[1].dataPaths,
    ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'].map((n) => join(root, 'checkpoint-200', n)),
  );
  assert.equal(
    l.checkpoints[1].bytes,
    '{"model_type": "gpt_neox"}'.length + index('model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors').length + 4,
  );

  // The content hash covers config.json and every shard: changing either changes the key.
  const before = await checkpointContentHash(l.checkpoints[1]);
  writeFileSync(join(root, 'checkpoint-200/model-00002-of-00002.safetensors'), 's3');
  const shardChanged = await checkpointContentHash(l.checkpoints[1]);
  writeFileSync(join(root, 'checkpoint-200/config.json'), '{"model_type": "gpt_neox", "rotary_pct": 0.5}');
  const configChanged = await checkpointContentHash(l.checkpoints[1]);
  assert.equal(new Set([before, shardChanged, configChanged]).size, 3);
});

test('ONNX wins: an export in the step folder or below it is the checkpoint of that step', async (t) => {
  const root = tempRun(t, {
    'step-1/config.json': CONFIG,
    'step-1/model.safetensors': 'w',
    'step-1/model.onnx': 'm',
    'checkpoint-2/config.json': CONFIG,
    'checkpoint-2/model.safetensors': 'w',
    'checkpoint-2/onnx/model.onnx': 'm',
    'checkpoint-2/onnx/config.json': CONFIG,
    'checkpoint-3/config.json': CONFIG,
    'checkpoint-3/model.safetensors': 'w',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => [c.path, c.format]),
    [
      ['step-1/model.onnx', 'onnx'],
      ['checkpoint-2/onnx/model.onnx', 'onnx'],
      ['checkpoint-3/model.safetensors', 'safetensors'],
    ],
  );
  assert.deepEqual(
    l.checkpoints.map((c) => c.sameStep),
    [[], [], []],
  );
});

test('incomplete Hugging Face folders are named; tmp-checkpoint folders are still being written', async (t) => {
  const root = tempRun(t, {
    'checkpoint-1/model.safetensors': 'w',
    'checkpoint-2/config.json': CONFIG,
    'checkpoint-2/model.safetensors': 'w',
    'checkpoint-2/model.safetensors.index.json': index('model-00001-of-00001.safetensors'),
    'checkpoint-3/config.json': CONFIG,
    'checkpoint-3/model.safetensors.index.json': index('model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'),
    'checkpoint-3/model-00001-of-00002.safetensors': 's1',
    'checkpoint-4/config.json': CONFIG,
    'checkpoint-4/model.safetensors.index.json': '{"weight_map": 3}',
    'tmp-checkpoint-5/config.json': CONFIG,
    'tmp-checkpoint-5/model.safetensors': 'w',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => c.path),
    ['checkpoint-3/model.safetensors.index.json', 'checkpoint-4/model.safetensors.index.json'],
  );
  assert.deepEqual(l.pending, ['tmp-checkpoint-5/model.safetensors']);
  assert.deepEqual(
    l.problems.map((p) => [p.file, p.message]),
    [
      [
        'checkpoint-1',
        "holds model.safetensors but no config.json: the model's architecture is read from config.json, which save_pretrained writes beside the weights",
      ],
      [
        'checkpoint-2',
        'holds both model.safetensors and model.safetensors.index.json: cannot tell which weights are current; remove the stale one',
      ],
      ['checkpoint-3/model.safetensors.index.json', 'names the shard model-00002-of-00002.safetensors, which is not in its folder'],
      ['checkpoint-4/model.safetensors.index.json', 'expected a JSON object with a "weight_map" object (tensor name → shard file)'],
    ],
  );
});

test('a step folder with only pickle weights is named, with how to save safetensors', async (t) => {
  const root = tempRun(t, {
    'checkpoint-1/config.json': CONFIG,
    'checkpoint-1/pytorch_model.bin': 'p',
    'checkpoint-1/optimizer.pt': 'o',
    'step-2/model.pt': 'p',
    // Trainer state beside safetensors, and DeepSpeed's pickles below a safetensors checkpoint: fine.
    'checkpoint-3/config.json': CONFIG,
    'checkpoint-3/model.safetensors': 'w',
    'checkpoint-3/optimizer.pt': 'o',
    'checkpoint-3/global_step3/mp_rank_00_model_states.pt': 'p',
    'checkpoint-4/optimizer.pt': 'o',
    'checkpoint-4/scheduler.pt': 's',
    'notes/model.bin': 'not a step folder',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => c.path),
    ['checkpoint-3/model.safetensors'],
  );
  assert.deepEqual(
    l.problems.map((p) => p.file),
    ['checkpoint-1', 'step-2'],
  );
  assert.match(
    l.problems[0].message,
    /^holds only PyTorch pickle weights \(pytorch_model\.bin\), which are not read: loading a pickle can run arbitrary code\. Save the checkpoint as safetensors .*save_pretrained.*or export it to ONNX$/,
  );
  assert.match(l.problems[1].message, /\(model\.pt\)/);
});
