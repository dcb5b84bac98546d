// Serialization of ONNX messages. Weights travel as `rawData` views, so encoding a model
// costs one copy of its weights (the output buffer) on top of the arrays themselves.
import { GraphProtoType, ModelProtoType, type GraphMsg, type ModelMsg } from './schema';

/** Serialize a ModelProto. */
export function encodeModel(m: ModelMsg): Uint8Array {
  return ModelProtoType.encode(m).finish();
}

/**
 * A ModelProto holding only `graph` (no ir_version, opset_import or graph name).
 * Protobuf merges concatenated messages: repeated fields append and singular sub-messages
 * merge, so `concat(modelBytes, encodeGraphFragment(g))` loads as the original model whose
 * graph also holds g's nodes, initializers, inputs and outputs. Give g no `name`: a singular
 * field in the fragment would replace the original's.
 */
export function encodeGraphFragment(g: Omit<GraphMsg, 'name'>): Uint8Array {
  const graph: GraphMsg = { node: g.node };
  if (g.initializer?.length) graph.initializer = g.initializer;
  if (g.input?.length) graph.input = g.input;
  if (g.output?.length) graph.output = g.output;
  if (g.valueInfo?.length) graph.valueInfo = g.valueInfo;
  return ModelProtoType.encode({ graph }).finish();
}

/** Concatenate model bytes with a fragment from `encodeGraphFragment` (one copy). */
export function appendGraphFragment(model: Uint8Array, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(model.length + fragment.length);
  out.set(model, 0);
  out.set(fragment, model.length);
  return out;
}

/**
 * Decode a whole ModelProto into plain objects (int64 as numbers, bytes as Uint8Array).
 * For tests and small models: it materializes every weight. Use readSignature for real files.
 */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const msg = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(msg, { longs: Number, arrays: false, defaults: false }) as ModelMsg;
}

/** Decode a GraphProto (for tests that inspect a fragment's graph). */
export function decodeGraph(bytes: Uint8Array): GraphMsg {
  return GraphProtoType.toObject(GraphProtoType.decode(bytes), { longs: Number }) as GraphMsg;
}
