// Hugging Face causal LMs scored from their own files: config.json read for both
// generations of transformers, and an ONNX graph per family built in memory whose weights
// point into the checkpoint's safetensors files (nothing is converted or written).
export {
  ACTIVATIONS,
  SUPPORTED_MODEL_TYPES,
  familyOf,
  readDecoderSpec,
  type Activation,
  type DecoderSpec,
  type ModelType,
  type RopeSpec,
} from './config';
export { HF_IO } from './decoder';
export { buildDecoderModel, type DecoderModel } from './build';
export { inverseFrequencies, type RopeParams } from './rope';
