// A checkpoint prepared for scoring, by format: an ONNX export, or a Hugging Face
// safetensors checkpoint (whose model file is model.safetensors or its shard index).
// limits.ts reads what `runs` checks without onnxruntime; import it on its own.
import { modelFormat } from '../../core/safetensors';
import { prepareOnnx } from './onnx';
import { prepareSafetensors } from './safetensors';
import type { PreparedModel } from './types';

export type { BatchFeeds, ModelBatch, PreparedModel } from './types';
export { prepareOnnx } from './onnx';
export { prepareSafetensors } from './safetensors';
export { loadHfCheckpoint, readHfConfig, type HfCheckpoint } from './hfCheckpoint';

type Log = (level: 'info' | 'warning', message: string) => void;

/** `label` names the model in the ONNX reader's messages (a run-relative path, say). */
export function prepareModel(modelPath: string, label = modelPath, log?: Log): Promise<PreparedModel> {
  return modelFormat(modelPath) === 'safetensors' ? prepareSafetensors(modelPath) : prepareOnnx(modelPath, label, log);
}
