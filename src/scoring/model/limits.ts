// What a checkpoint lets the sample checks know before it is scored (its vocabulary and the
// longest sample it takes), read from its files alone, with every reason it cannot be scored
// named now: `runs` checks a whole run this way without onnxruntime and without reading
// weights. The scorer prepares the same files the same way (model/index.ts).
import { modelFormat } from '../../core/safetensors';
import type { ModelPlan } from '../plan';
import { planCheckpoint } from '../planCheckpoint';
import { loadHfCheckpoint } from './hfCheckpoint';

export type ModelLimits = Pick<ModelPlan, 'vocab' | 'maxTokens'>;

type Log = (level: 'info' | 'warning', message: string) => void;

/** `label` names an ONNX model in its plan's messages (a run-relative path, say). */
export async function modelLimits(modelPath: string, label = modelPath, log?: Log): Promise<ModelLimits> {
  if (modelFormat(modelPath) === 'onnx') return planCheckpoint(modelPath, label, log);
  return (await loadHfCheckpoint(modelPath)).limits;
}
