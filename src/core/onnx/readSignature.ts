// A model's signature (inputs, outputs, opsets, metadata) read from the file's protobuf
// wire format, skipping initializers and nodes by their lengths: a multi-gigabyte model
// costs a few reads of its tags, never its weights in memory.
import { dataTypeName } from './schema';
import { bytesSource, fileSource, WIRE_LEN, WIRE_VARINT, Walker, type ByteSource, type Field } from './wire';

export { OnnxFormatError } from './wire';

export interface TensorSignature {
  name: string;
  /** 'tensor' for the inputs and outputs we drive; other ONNX type kinds are reported as such. */
  kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unknown';
  /** TensorProto.DataType (1 float, 7 int64, 9 bool, 10 float16, ...); 0 when not a tensor. */
  elemType: number;
  /** 'FLOAT', 'INT64', ... */
  elemTypeName: string;
  /** A number for a fixed dimension, a string for a symbolic one, null for an unnamed one; null shape: rank unknown. */
  shape: (number | string | null)[] | null;
}

/** A node of the main graph as far as plans read it: what it does and what it connects. */
export interface GraphNode {
  op: string;
  /** '' for the default ONNX domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (a Gather's `axis`); others are not read. */
  ints: Record<string, number>;
}

export interface ModelSignature {
  /** The file path, or the label given for bytes. */
  file: string;
  irVersion?: number;
  opsetImports: { domain: string; version: number }[];
  /** Graph inputs the caller feeds (inputs that are also initializers are left out). */
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  metadata: Record<string, string>;
  /** Distinct external data files the initializers name, relative to the model's folder. */
  externalDataFiles: string[];
  /**
   * The main graph's nodes (subgraphs of If/Loop are not read) and each initializer's dims: what
   * the inputs and outputs leave unsaid, such as how many rows a position table has.
   */
  nodes: GraphNode[];
  initializerDims: Map<string, number[]>;
}

const TYPE_KINDS: Record<number, TensorSignature['kind']> = { 1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse_tensor', 9: 'optional' };

function readDim(w: Walker, dim: Field): number | string | null {
  let d: number | string | null = null;
  w.fields(dim.start, dim.end, (f) => {
    if (f.num === 1) {
      w.expect(f, WIRE_VARINT, 'dim_value');
      d = f.value;
    }
    if (f.num === 2) d = w.string(f, 'dim_param');
  });
  return d;
}

function readValueInfo(w: Walker, vi: Field): TensorSignature {
  const sig: TensorSignature = { name: '', kind: 'unknown', elemType: 0, elemTypeName: dataTypeName(0), shape: null };
  w.expect(vi, WIRE_LEN, 'value info');
  w.fields(vi.start, vi.end, (f) => {
    if (f.num === 1) sig.name = w.string(f, 'value name');
    if (f.num !== 2) return;
    w.expect(f, WIRE_LEN, 'type');
    w.fields(f.start, f.end, (t) => {
      const kind = TYPE_KINDS[t.num];
      if (!kind) return;
      sig.kind = kind;
      if (kind !== 'tensor') return;
      w.expect(t, WIRE_LEN, 'tensor type');
      w.fields(t.start, t.end, (tt) => {
        if (tt.num === 1) {
          w.expect(tt, WIRE_VARINT, 'elem_type');
          sig.elemType = tt.value;
        }
        if (tt.num !== 2) return;
        w.expect(tt, WIRE_LEN, 'shape');
        const shape: (number | string | null)[] = [];
        w.fields(tt.start, tt.end, (dim) => {
          if (dim.num === 1) {
            w.expect(dim, WIRE_LEN, 'dim');
            shape.push(readDim(w, dim));
          }
        });
        sig.shape = shape;
      });
    });
  });
  sig.elemTypeName = dataTypeName(sig.elemType);
  return sig;
}

function readEntry(w: Walker, e: Field, what: string): { key: string; value: string } {
  w.expect(e, WIRE_LEN, what);
  const entry = { key: '', value: '' };
  w.fields(e.start, e.end, (f) => {
    if (f.num === 1) entry.key = w.string(f, `${what} key`);
    if (f.num === 2) entry.value = w.string(f, `${what} value`);
  });
  return entry;
}

/** An initializer's name, dims and external location, stepping over its data. */
function readInitializer(w: Walker, t: Field): { name: string; dims: number[]; location?: string } {
  w.expect(t, WIRE_LEN, 'initializer');
  const out: { name: string; dims: number[]; location?: string } = { name: '', dims: [] };
  w.fields(t.start, t.end, (f) => {
    if (f.num === 8) out.name = w.string(f, 'initializer name');
    // dims: repeated int64, packed (one LEN field) or one varint each.
    if (f.num === 1 && f.wire === WIRE_VARINT) out.dims.push(f.value);
    if (f.num === 1 && f.wire === WIRE_LEN) {
      for (let pos = f.start; pos < f.end;) {
        const v = w.varint(pos, f.end);
        out.dims.push(v.value);
        pos = v.next;
      }
    }
    if (f.num === 13) {
      const e = readEntry(w, f, 'external_data entry');
      if (e.key === 'location') out.location = e.value;
    }
  });
  return out;
}

/** A node's op type, domain, inputs, outputs and integer attributes. */
function readNode(w: Walker, n: Field): GraphNode {
  w.expect(n, WIRE_LEN, 'node');
  const node: GraphNode = { op: '', domain: '', inputs: [], outputs: [], ints: {} };
  w.fields(n.start, n.end, (f) => {
    if (f.num === 1) node.inputs.push(w.string(f, 'node input'));
    else if (f.num === 2) node.outputs.push(w.string(f, 'node output'));
    else if (f.num === 4) node.op = w.string(f, 'op_type');
    else if (f.num === 7) node.domain = w.string(f, 'node domain');
    else if (f.num === 5) {
      w.expect(f, WIRE_LEN, 'attribute');
      let name = '';
      let int: number | undefined;
      // Only names and ints: a tensor or graph attribute is stepped over by its length.
      w.fields(f.start, f.end, (a) => {
        if (a.num === 1) name = w.string(a, 'attribute name');
        if (a.num === 3 && a.wire === WIRE_VARINT) int = a.value;
      });
      if (int !== undefined) node.ints[name] = int;
    }
  });
  return node;
}

/** Read a signature from any byte source (the file and bytes readers below wrap this). */
export function readSignatureFrom(src: ByteSource): ModelSignature {
  const w = new Walker(src);
  if (src.size === 0) w.fail(0, 'the file is empty');
  const sig: ModelSignature = {
    file: src.label,
    opsetImports: [],
    inputs: [],
    outputs: [],
    metadata: {},
    externalDataFiles: [],
    nodes: [],
    initializerDims: new Map(),
  };
  const initializers = new Set<string>();
  const locations = new Set<string>();
  let graphs = 0;
  w.fields(0, src.size, (f) => {
    switch (f.num) {
      case 1:
        w.expect(f, WIRE_VARINT, 'ir_version');
        sig.irVersion = f.value;
        break;
      case 8: {
        w.expect(f, WIRE_LEN, 'opset_import');
        const op = { domain: '', version: 0 };
        w.fields(f.start, f.end, (g) => {
          if (g.num === 1) op.domain = w.string(g, 'opset domain');
          if (g.num === 2) {
            w.expect(g, WIRE_VARINT, 'opset version');
            op.version = g.value;
          }
        });
        sig.opsetImports.push(op);
        break;
      }
      case 14: {
        const e = readEntry(w, f, 'metadata_props entry');
        sig.metadata[e.key] = e.value;
        break;
      }
      case 7:
        // Concatenated ModelProtos (a model plus an appended head) carry several graph fields; they merge.
        w.expect(f, WIRE_LEN, 'graph');
        graphs++;
        w.fields(f.start, f.end, (g) => {
          if (g.num === 11) sig.inputs.push(readValueInfo(w, g));
          else if (g.num === 12) sig.outputs.push(readValueInfo(w, g));
          else if (g.num === 1) sig.nodes.push(readNode(w, g));
          else if (g.num === 5) {
            const init = readInitializer(w, g);
            initializers.add(init.name);
            sig.initializerDims.set(init.name, init.dims);
            if (init.location !== undefined) locations.add(init.location);
          }
        });
        break;
    }
  });
  if (graphs === 0) w.fail(0, 'no graph found');
  if (sig.irVersion === undefined) w.fail(0, 'no ir_version');
  sig.inputs = sig.inputs.filter((i) => !initializers.has(i.name));
  sig.externalDataFiles = [...locations];
  return sig;
}

/** Read the signature of the ONNX model at `path` (errors name the file and byte offset). */
export function readSignature(path: string): ModelSignature {
  const src = fileSource(path);
  try {
    return readSignatureFrom(src);
  } finally {
    src.close();
  }
}

/** Read the signature of a model held in memory; `label` names it in errors. */
export function readSignatureFromBytes(bytes: Uint8Array, label = '<model bytes>'): ModelSignature {
  return readSignatureFrom(bytesSource(bytes, label));
}
