// Model-level settings shared by every test model, and the step from graph to bytes.
import { modelMsg } from './builder';
import { encodeModel } from './encode';
import { externalize, type BuiltModel } from './external';
import type { GraphMsg } from './schema';

/** Opset 17 brings LayerNormalization; IR 8 is what opset 17 exporters write. */
export const OPSET = 17;
export const IR_VERSION = 8;

export const BATCH = 'batch_size';
export const SEQ = 'sequence_length';

/** Serialize a graph, moving its weights to `externalFile` when given. */
export function buildModel(graph: GraphMsg, metadata?: Record<string, string>, externalFile?: string): BuiltModel {
  const data = externalFile ? externalize(graph, externalFile) : undefined;
  const model = encodeModel(modelMsg(graph, { opset: OPSET, irVersion: IR_VERSION, metadata }));
  return data ? { model, externalData: { fileName: externalFile!, bytes: data } } : { model };
}
