// A safetensors checkpoint as the reference model (coverage.json's {"model": …} or --reference):
// r(i) is its response log-prob, so a report against it equals the report against the same
// weights' torch.onnx.export, and its scores are stored like a checkpoint's.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as report } from '../../src/cli/report';
import { callCommand, fileScope, settle } from '../support/cli';
import { HF_FIXTURES, hfSamples } from '../support/hfFixtures';
import { tempRun } from '../support/temp';

const lifetime = fileScope();
const EVAL =
  hfSamples.map((s) => JSON.stringify({ id: s.id, prompt_ids: [...s.promptIds], response_ids: [...s.responseIds] })).join('\n') + '\n';
let root: string;

before(
  async () => {
    root = tempRun(lifetime, { 'eval.jsonl': EVAL });
    const noOnnx = (src: string) => !src.includes('onnx');
    cpSync(join(HF_FIXTURES, 'gpt2'), join(root, 'checkpoint-100'), { recursive: true, filter: noOnnx });
    cpSync(join(HF_FIXTURES, 'llama'), join(root, 'checkpoint-200'), { recursive: true, filter: noOnnx });
    // The reference, outside any step folder, in both forms.
    cpSync(join(HF_FIXTURES, 'qwen2'), join(root, 'ref'), { recursive: true });
    await settle();
  },
  { timeout: 30_000 },
);

interface Report {
  reference: { model: string };
  checkpoints: { step: number; kl: number | string; cePerToken: number }[];
}

test('a safetensors reference model gives the report its ONNX export gives', async () => {
  const run = async (ref: string): Promise<Report> => {
    const r = await callCommand(report, [root, '--json', '--provider', 'cpu', '--reference', `model:${join(root, ref)}`]);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as Report;
  };
  const st = await run('ref/model.safetensors');
  const onnx = await run('ref/onnx/model.onnx');
  assert.deepEqual(st.reference, { model: 'ref/model.safetensors' });
  assert.deepEqual(
    st.checkpoints.map((c) => c.step),
    [100, 200],
  );
  st.checkpoints.forEach((c, k) => {
    assert.equal(typeof c.kl, 'number');
    assert.ok(
      Math.abs((c.kl as number) - (onnx.checkpoints[k].kl as number)) < 1e-4,
      `step ${c.step}: KL ${c.kl} against ${onnx.checkpoints[k].kl}`,
    );
  });
  // coverage.json names it the same way.
  writeFileSync(join(root, 'coverage.json'), JSON.stringify({ reference: { model: 'ref/model.safetensors' } }));
  const r = await callCommand(report, [root, '--json', '--provider', 'cpu']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(
    (JSON.parse(r.out) as Report).checkpoints.map((c) => c.kl),
    st.checkpoints.map((c) => c.kl),
  );
  assert.match(r.err, /0 scored in [\d.]+ s, 2 (reused )?from the store/, 'the reference and the checkpoints come from the store');
});
