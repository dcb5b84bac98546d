// Safetensors checkpoints, read as far as the scorer needs: the headers (names, dtypes,
// shapes, byte ranges) of a single file or of the shards an index names. Tensor bytes are
// never read here; the ONNX graph points onnxruntime at them.
export { DTYPE_BYTES, MAX_HEADER_BYTES, headerLength, parseHeader, type SafetensorsHeader, type TensorInfo } from './header';
export { INDEX_FILE, SINGLE_FILE, isPlainFileName, isSafetensorsEntry, modelFormat, parseShardIndex, type ShardIndex } from './index-file';
export { readCheckpointWeights, readSafetensorsHeader, type CheckpointWeights, type WeightRef } from './read';
export { encodeHeader, encodeSafetensors, writeSafetensors, type TensorToWrite } from './write';
