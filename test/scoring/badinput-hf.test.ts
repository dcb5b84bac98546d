// Bad Hugging Face checkpoints through `runs` and `score`, in one run beside a good one:
// unknown model_type, a missing tensor, a wrong shape, a truncated file, a header length
// beyond the file, a shard the index names but the folder lacks, a config.json that is not
// JSON, and a folder with only pickle weights. Each is named with its file and what was
// expected; the good checkpoint is scored; nothing in the checkpoint folders changes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as runs } from '../../src/cli/runs';
import { command as score } from '../../src/cli/score';
import { encodeSafetensors, readSafetensorsHeader, type TensorToWrite } from '../../src/core/safetensors';
import { callCommand, fileScope, settle } from '../support/cli';
import { tempRun } from '../support/temp';
import { HF_FIXTURES, hfSamples } from '../support/hfFixtures';

const lifetime = fileScope();
const EVAL =
  hfSamples.map((s) => JSON.stringify({ id: s.id, prompt_ids: [...s.promptIds], response_ids: [...s.responseIds] })).join('\n') + '\n';
const LLAMA = join(HF_FIXTURES, 'llama');

/** The llama fixture's tensors, for rewriting with one changed. */
async function llamaTensors(): Promise<TensorToWrite[]> {
  const file = join(LLAMA, 'model.safetensors');
  const bytes = readFileSync(file);
  const h = await readSafetensorsHeader(file);
  return [...h.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: bytes.subarray(t.start, t.end) }));
}

let root: string;
before(
  async () => {
    root = tempRun(lifetime, { 'eval.jsonl': EVAL });
    const step = (n: number) => join(root, `step-${n}`);
    for (const n of [1, 2, 3, 4, 5, 6, 9]) cpSync(LLAMA, step(n), { recursive: true, filter: (src) => !src.includes('onnx') });
    const config = JSON.parse(readFileSync(join(LLAMA, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(step(2), 'config.json'), JSON.stringify({ ...config, model_type: 'bert' }));
    const tensors = await llamaTensors();
    writeFileSync(
      join(step(3), 'model.safetensors'),
      encodeSafetensors(tensors.filter((t) => t.name !== 'model.layers.1.mlp.down_proj.weight')),
    );
    writeFileSync(
      join(step(4), 'model.safetensors'),
      encodeSafetensors(tensors.map((t) => (t.name === 'model.layers.0.mlp.up_proj.weight' ? { ...t, shape: [20, 32] } : t))),
    );
    truncateSync(join(step(5), 'model.safetensors'), 4000);
    const beyond = readFileSync(join(step(6), 'model.safetensors'));
    beyond.writeBigUInt64LE(BigInt(beyond.length), 0);
    writeFileSync(join(step(6), 'model.safetensors'), beyond);
    cpSync(join(HF_FIXTURES, 'llama-tied-linear-sharded'), step(7), { recursive: true, filter: (src) => !src.includes('onnx') });
    rmSync(join(step(7), 'model-00002-of-00002.safetensors'));
    mkdirSync(step(8));
    writeFileSync(join(step(8), 'pytorch_model.bin'), 'pickle');
    writeFileSync(join(step(9), 'config.json'), '{"model_type": "llama",');
    await settle();
  },
  { timeout: 30_000 },
);

const reasons = (root: string): Record<number, string | RegExp> => ({
  2: `${root}/step-2/config.json: model_type "bert" is not supported; supported: gpt2, gpt_neox, llama, mistral, qwen2, olmo2`,
  3: 'tensor model.layers.1.mlp.down_proj.weight is missing; config.json implies it, with shape [16, 40]',
  4: 'tensor model.layers.0.mlp.up_proj.weight has shape [20, 32]; config.json implies [40, 16]',
  5: /^tensor [\w.]+: its bytes end at \d+, beyond the file's 4000 bytes \(the file is truncated\)$/,
  6: /^the header length is \d+ bytes, beyond the file's \d+ bytes after it \(truncated, or not a safetensors file\)$/,
  7: `names the shard model-00002-of-00002.safetensors, which is missing (expected at ${root}/step-7/model-00002-of-00002.safetensors)`,
  9: new RegExp(`^${root}/step-9/config\\.json: not valid JSON \\(`),
});
const modelFile = (n: number) => (n === 7 ? 'model.safetensors.index.json' : 'model.safetensors');

test('runs lists each bad checkpoint with its reason and the pickle-only folder with how to fix it', async () => {
  const r = await callCommand(runs, [root, '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as {
    checkpoints: { step: number; format: string; modelType: string | null }[];
    problems: { file: string; message: string }[];
  };
  assert.deepEqual(
    j.checkpoints.map((k) => k.step),
    [1, 2, 3, 4, 5, 6, 7, 9],
  );
  assert.deepEqual(
    j.checkpoints.map((k) => k.format),
    Array(8).fill('safetensors'),
  );
  assert.deepEqual(
    j.checkpoints.map((k) => k.modelType),
    ['llama', 'bert', 'llama', 'llama', 'llama', 'llama', 'llama', null],
  );
  const byFile = new Map(j.problems.map((p) => [p.file, p.message]));
  assert.match(byFile.get('step-8') ?? '', /^holds only PyTorch pickle weights \(pytorch_model\.bin\), which are not read/);
  for (const [n, why] of Object.entries(reasons(root))) {
    const m = byFile.get(`step-${n}/${modelFile(Number(n))}`) ?? '';
    assert.ok(m.startsWith('cannot be scored: '), `step-${n}: ${m}`);
    if (typeof why === 'string') assert.equal(m.slice('cannot be scored: '.length), why);
    else assert.match(m.slice('cannot be scored: '.length), why);
  }
  assert.equal(byFile.has('step-1/model.safetensors'), false, 'the good checkpoint has no problem');
  // The text listing shows format and model type.
  const text = await callCommand(runs, [root]);
  assert.match(text.out, /\n +1 +[\d.]+ KB +safetensors llama +step-1\/model\.safetensors\n/);
});

test('score fails each bad checkpoint alone naming it and scores the good one', async () => {
  const r = await callCommand(score, [root, '--provider', 'cpu']);
  assert.equal(r.code, 1, r.err);
  const failed = new Map(
    r.err
      .split('\n')
      .filter((l) => l.startsWith('failed: '))
      .map((l) => [Number(/^failed: step-(\d+)\//.exec(l)?.[1]), l]),
  );
  assert.deepEqual(
    [...failed.keys()].sort((a, b) => a - b),
    [2, 3, 4, 5, 6, 7, 9],
    r.err,
  );
  for (const [n, why] of Object.entries(reasons(root))) {
    const line = failed.get(Number(n))!;
    const head = `failed: step-${n}/${modelFile(Number(n))}: `;
    assert.ok(line.startsWith(head), line);
    if (typeof why === 'string') assert.equal(line.slice(head.length), why);
    else assert.match(line.slice(head.length), why);
  }
  assert.match(r.err, /^8 checkpoint\(s\): 1 scored in [\d.]+ s, 0 from the store/m);
});
