// WebGPU (Dawn inside onnxruntime-node, here on Mesa's software Vulkan in CI) gives the CPU's
// log-probs within 1e-3, and runs the graphs built for safetensors checkpoints to PyTorch's
// scores. Skipped, saying why, only where no Vulkan driver is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { gpt2Model } from '../../src/core/onnx/models';
import { scoreModel } from '../../src/scoring/scorer';
import { assertClose, CPU, randomSamples, saveModel } from './helpers';
import { hfFixtures, hfSamples, hfTolerance } from '../support/hfFixtures';
import { tempDir } from '../support/temp';

function vulkanIcds(): string[] {
  const env = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  if (env) return env.split(':').filter((f) => existsSync(f));
  return ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].flatMap((d) => (existsSync(d) ? readdirSync(d) : []));
}

const icds = process.platform === 'linux' ? vulkanIcds() : ['(platform driver)'];
const skip = icds.length === 0 ? 'no Vulkan ICD installed (CI installs Mesa from bookworm-backports: mesa-vulkan-drivers)' : false;

test('WebGPU log-probs equal the CPU ones within 1e-3', { skip }, async (t) => {
  // One batch: every distinct shape costs a shader compile on a software driver.
  // Dawn's Vulkan loader wants a runtime dir; headless CI users often have none.
  process.env.XDG_RUNTIME_DIR ??= tempDir(t, 'cc-xdg-');
  const dir = tempDir(t);
  const modelPath = saveModel(
    dir,
    'gpu',
    gpt2Model({ layers: 1, width: 32, heads: 4, vocab: 97, context: 48, seed: 9, initScale: 0.3, positionIds: true }),
  );
  const samples = randomSamples(8, 97, 21, 8, 12);
  const cpu = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: CPU });
  const gpu = await scoreModel({ modelPath, evalFile: 'eval.jsonl', samples, options: { ...CPU, provider: 'webgpu', tokenBudget: 4096 } });
  assert.equal(gpu.provider, 'webgpu', `WebGPU did not run: ${JSON.stringify(gpu.attempts)}`);
  cpu.tokenLogprobs.forEach((v, k) => assertClose(gpu.tokenLogprobs[k], v, 1e-3, `token ${k}`));
});

test("WebGPU runs every safetensors family and variant to PyTorch's float64 scores", { skip }, async (t) => {
  process.env.XDG_RUNTIME_DIR ??= tempDir(t, 'cc-xdg-');
  for (const f of hfFixtures) {
    // One batch per checkpoint: every distinct shape costs a shader compile on a software driver.
    const r = await scoreModel({
      modelPath: f.entry,
      evalFile: 'eval.jsonl',
      samples: hfSamples,
      options: { ...CPU, provider: 'webgpu', tokenBudget: 4096 },
    });
    assert.equal(r.provider, 'webgpu', `${f.name}: WebGPU did not run: ${JSON.stringify(r.attempts)}`);
    const worst = Math.max(...f.expected.map((e, i) => Math.abs(r.seqLogprob[i] - e)));
    assert.ok(worst <= hfTolerance(f), `${f.name}: largest difference ${worst}`);
  }
});
