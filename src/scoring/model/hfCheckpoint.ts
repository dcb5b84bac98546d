// A Hugging Face checkpoint read as far as scoring and `runs` need, without onnxruntime:
// config.json into a decoder description, the safetensors headers, and the graph built over
// them, which checks every tensor the config implies (present, shaped, a float dtype). The
// weights themselves are first read by onnxruntime.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileError, systemErrorText } from '../../core/fileError';
import { buildDecoderModel, readDecoderSpec, type DecoderModel, type DecoderSpec } from '../../core/hf';
import { readCheckpointWeights } from '../../core/safetensors';
import type { ModelPlan } from '../plan';

/** config.json beside the weights, parsed. */
export async function readHfConfig(entry: string): Promise<{ file: string; json: unknown }> {
  const file = join(dirname(entry), 'config.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new FileError(
      file,
      `cannot be read (${systemErrorText(e)}); a safetensors checkpoint needs its config.json beside its weights`,
      'unreadable',
    );
  }
  try {
    return { file, json: JSON.parse(text) };
  } catch (e) {
    throw new FileError(file, `not valid JSON (${(e as Error).message})`);
  }
}

export interface HfCheckpoint {
  spec: DecoderSpec;
  /** Folder onnxruntime resolves the weights' locations against (the real one, behind links). */
  weightsDir: string;
  decoder: DecoderModel;
  /** What the sample checks read: the vocabulary and the context length. */
  limits: Required<Pick<ModelPlan, 'vocab' | 'maxTokens'>>;
}

/** Reads config.json and the headers of the checkpoint whose model file is `entry`, and builds its graph. */
export async function loadHfCheckpoint(entry: string): Promise<HfCheckpoint> {
  const config = await readHfConfig(entry);
  const spec = readDecoderSpec(config.json, config.file);
  const weights = await readCheckpointWeights(entry);
  return {
    spec,
    weightsDir: weights.weightsDir,
    decoder: buildDecoderModel(spec, weights, entry),
    limits: { vocab: spec.vocab, maxTokens: { tokens: spec.context, says: `the model's context of ${spec.context}` } },
  };
}
