// Moving weights into an external data file, and writing a model (plus its weights) to disk.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_LOCATION_EXTERNAL, type GraphMsg, type TensorMsg } from './schema';

/** A serialized model and, when its weights live outside it, the weights file. */
export interface BuiltModel {
  model: Uint8Array;
  externalData?: { fileName: string; bytes: Uint8Array };
}

// Tensors below this size stay inline (shape constants); big ones start on a 4 KiB boundary
// so onnxruntime can map them straight from the file.
const INLINE_BELOW = 1024;
const ALIGN = 4096;

/**
 * Move the graph's large initializers into one buffer referenced as `fileName` (relative to
 * the model file). Rewrites the TensorProtos in place; returns the buffer.
 */
export function externalize(graph: GraphMsg, fileName: string): Uint8Array {
  const moved: { t: TensorMsg; offset: number }[] = [];
  let size = 0;
  for (const t of graph.initializer ?? []) {
    if (!t.rawData || t.rawData.length < INLINE_BELOW) continue;
    size = Math.ceil(size / ALIGN) * ALIGN;
    moved.push({ t, offset: size });
    size += t.rawData.length;
  }
  const bytes = new Uint8Array(size);
  for (const { t, offset } of moved) {
    const raw = t.rawData!;
    bytes.set(raw, offset);
    delete t.rawData;
    t.dataLocation = DATA_LOCATION_EXTERNAL;
    t.externalData = [
      { key: 'location', value: fileName },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
  }
  return bytes;
}

/** Write `m.model` as dir/fileName and its external weights beside it under their own name. */
export function writeModel(dir: string, fileName: string, m: BuiltModel): void {
  writeFileSync(join(dir, fileName), m.model);
  if (m.externalData) writeFileSync(join(dir, m.externalData.fileName), m.externalData.bytes);
}
