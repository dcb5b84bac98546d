// The Hugging Face fixtures scripts/fixtures/hf.py wrote (tiny checkpoints of every family
// and variant, their torch.onnx.export copies, and PyTorch's float64 scores).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireSample } from '../../src/shared/workerProtocol';

export const HF_FIXTURES = join(__dirname, '..', 'fixtures', 'hf');

export interface HfFixture {
  name: string;
  dir: string;
  /** The checkpoint's model file: model.safetensors or the shard index. */
  entry: string;
  onnx: string;
  modelType: string;
  dtype: 'F32' | 'F16' | 'BF16';
  /** PyTorch's float64 per-sample response log-prob sums. */
  expected: number[];
}

interface Expected {
  samples: { prompt_ids: number[]; response_ids: number[] }[];
  models: Record<string, { model_type: string; dtype: HfFixture['dtype']; shards: number; seqLogprob: number[] }>;
}

const expected = JSON.parse(readFileSync(join(HF_FIXTURES, 'expected.json'), 'utf8')) as Expected;

export const hfFixtures: HfFixture[] = Object.entries(expected.models).map(([name, m]) => ({
  name,
  dir: join(HF_FIXTURES, name),
  entry: join(HF_FIXTURES, name, m.shards > 1 ? 'model.safetensors.index.json' : 'model.safetensors'),
  onnx: join(HF_FIXTURES, name, 'onnx', 'model.onnx'),
  modelType: m.model_type,
  dtype: m.dtype,
  expected: m.seqLogprob,
}));

export const hfSamples: WireSample[] = expected.samples.map((s, index) => ({
  index,
  line: index + 1,
  id: `s${index}`,
  promptIds: Int32Array.from(s.prompt_ids),
  responseIds: Int32Array.from(s.response_ids),
}));

/** The acceptance tolerance on a per-sample sum: 1e-4 for float32 weights, 1e-3 for half precision. */
export const hfTolerance = (f: HfFixture): number => (f.dtype === 'F32' ? 1e-4 : 1e-3);
