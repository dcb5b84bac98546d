// model.safetensors.index.json, which large checkpoints write beside their shards:
// {"metadata": {"total_size": …}, "weight_map": {tensor name: shard file name}}. Shard names
// must be plain file names in the same folder: the scorer hands them to onnxruntime, which
// refuses paths, and a name like ../x would read outside the checkpoint.
import { FileError } from '../fileError';
import type { CheckpointFormat } from '../types';

export interface ShardIndex {
  file: string;
  /** Tensor name → shard file name. */
  weightMap: Map<string, string>;
  /** The distinct shard names, in first-seen order. */
  shards: string[];
}

export function parseShardIndex(text: string, file: string): ShardIndex {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new FileError(file, `not valid JSON (${(e as Error).message})`);
  }
  const map = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>).weight_map : undefined;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new FileError(file, 'expected a JSON object with a "weight_map" object (tensor name → shard file)');
  }
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || !isPlainFileName(shard)) {
      throw new FileError(
        file,
        `"weight_map" gives tensor ${name} the shard ${JSON.stringify(shard)}; expected a file name in the same folder`,
      );
    }
    weightMap.set(name, shard);
    if (!shards.includes(shard)) shards.push(shard);
  }
  if (shards.length === 0) throw new FileError(file, '"weight_map" is empty');
  return { file, weightMap, shards };
}

/** A name without folder parts that onnxruntime accepts as an external-data location. */
export function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** The names transformers gives a checkpoint's weights: one file, or the index of its shards. */
export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** Whether a file is what a safetensors checkpoint is named by: its single file or its shard index. */
export function isSafetensorsEntry(path: string): boolean {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return name === SINGLE_FILE || name === INDEX_FILE;
}

/** The format of the checkpoint whose model file is `path`: safetensors by its entry names, else ONNX. */
export function modelFormat(path: string): CheckpointFormat {
  return isSafetensorsEntry(path) ? 'safetensors' : 'onnx';
}
