// Serialization of ONNX messages. protobufjs encodes everything except the weights' bytes:
// its writer grows one buffer by doubling and shifts each nested message to fit its length
// prefix, which for a 500 MB model meant 3x the weights in memory and ~15 s. Here the outer
// layers (model → graph → initializer → raw_data) are framed by hand into one buffer of the
// exact size, so encoding costs one copy of the weights on top of the arrays themselves.
import { GraphProtoType, ModelProtoType, TensorProtoType, type GraphMsg, type ModelMsg } from './schema';

// Tags (field number << 3 | wire type 2) of the length-delimited fields framed by hand.
const TAG_MODEL_GRAPH = (7 << 3) | 2;
const TAG_GRAPH_INITIALIZER = (5 << 3) | 2;
const TAG_TENSOR_RAW_DATA = (9 << 3) | 2;
/** Protobuf's hard limit on a message; beyond it use external data. */
const MAX_MESSAGE = 2 ** 31 - 1;

const varintSize = (n: number): number => {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
};

function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** A length-delimited field's size: tag byte, length varint, body. */
const framed = (len: number): number => 1 + varintSize(len) + len;

/**
 * Serialize a ModelProto. Fields come out in a different order than protobufjs alone would
 * write them (the graph last, initializers after the other graph fields, raw_data last in
 * each tensor); protobuf parsers accept fields in any order.
 */
export function encodeModel(m: ModelMsg): Uint8Array {
  const { graph, ...top } = m;
  const { initializer = [], ...graphRest } = graph;
  const head = ModelProtoType.encode(top).finish();
  const graphHead = GraphProtoType.encode(graphRest).finish();
  const tensors = initializer.map((t) => {
    const { rawData, ...meta } = t;
    const metaBytes = TensorProtoType.encode(meta).finish();
    const size = metaBytes.length + (rawData ? framed(rawData.length) : 0);
    return { metaBytes, rawData, size };
  });
  const graphSize = tensors.reduce((a, t) => a + framed(t.size), graphHead.length);
  const total = head.length + framed(graphSize);
  if (total > MAX_MESSAGE) {
    throw new Error(`model is ${total} bytes, over protobuf's 2 GiB limit: write its weights as external data`);
  }
  const out = new Uint8Array(total);
  out.set(head, 0);
  let pos = head.length;
  out[pos++] = TAG_MODEL_GRAPH;
  pos = writeVarint(out, pos, graphSize);
  out.set(graphHead, pos);
  pos += graphHead.length;
  for (const t of tensors) {
    out[pos++] = TAG_GRAPH_INITIALIZER;
    pos = writeVarint(out, pos, t.size);
    out.set(t.metaBytes, pos);
    pos += t.metaBytes.length;
    if (t.rawData) {
      out[pos++] = TAG_TENSOR_RAW_DATA;
      pos = writeVarint(out, pos, t.rawData.length);
      out.set(t.rawData, pos);
      pos += t.rawData.length;
    }
  }
  return out;
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
