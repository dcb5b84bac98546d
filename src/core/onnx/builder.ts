// A tiny graph builder: names values, collects nodes and initializers, and turns typed
// arrays into TensorProtos without copying them.
import {
  AttributeType,
  DataType,
  type AttributeMsg,
  type Dimension,
  type GraphMsg,
  type ModelMsg,
  type NodeMsg,
  type TensorMsg,
  type ValueInfo,
} from './schema';

/** A dimension: a number is a fixed size, a string a symbolic one (`batch_size`). */
export type Dim = number | string;

/** An attribute value; plain numbers are INT attributes, use `{ f }` for a FLOAT one. */
export type Attr = number | string | number[] | { f: number } | { floats: number[] } | { g: GraphMsg } | { t: TensorMsg };

export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Int8Array;

export function valueInfo(name: string, elemType: number, shape?: Dim[]): ValueInfo {
  const tensorType: ValueInfo['type']['tensorType'] = { elemType };
  if (shape) {
    tensorType.shape = {
      dim: shape.map((d): Dimension => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
    };
  }
  return { name, type: { tensorType } };
}

/** A TensorProto whose rawData is a view of `data` (little-endian hosts only, like ONNX). */
export function tensor(name: string, dataType: number, dims: number[], data: TensorData): TensorMsg {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`tensor ${name}: ${data.length} values for dims [${dims.join(', ')}] (expected ${count})`);
  }
  return { name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function attribute(name: string, v: Attr): AttributeMsg {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer (use { f })`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('f' in v) return { name, type: AttributeType.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: v.floats };
  if ('g' in v) return { name, type: AttributeType.GRAPH, g: v.g };
  return { name, type: AttributeType.TENSOR, t: v.t };
}

export class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private counter = 0;

  /** `prefix` keeps generated names unique across nested graphs (If branches). */
  constructor(
    readonly name: string,
    private readonly prefix = '',
  ) {}

  fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.counter++}`;
  }

  input(name: string, elemType: number, shape?: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  output(name: string, elemType: number, shape?: Dim[]): string {
    this.outputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  initializer(name: string, dataType: number, dims: number[], data: TensorData): string {
    this.initializers.push(tensor(name, dataType, dims, data));
    return name;
  }

  /** Small constants as initializers: float32 or int64 (the two kinds shape arithmetic needs). */
  constF(values: number[], dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('cf'), DataType.FLOAT, dims, Float32Array.from(values));
  }
  constI64(values: number[], dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('ci'), DataType.INT64, dims, BigInt64Array.from(values.map(BigInt)));
  }

  /** Add a node with `nOut` outputs (or these exact output names); returns the output names. */
  nodeN(opType: string, inputs: string[], outputs: number | string[], attrs: Record<string, Attr> = {}, domain?: string): string[] {
    const out = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    const node: NodeMsg = { opType, input: inputs, output: out, name: this.fresh(`n_${opType}`) };
    const names = Object.keys(attrs);
    if (names.length) node.attribute = names.map((n) => attribute(n, attrs[n]!));
    if (domain) node.domain = domain;
    this.nodes.push(node);
    return out;
  }

  /** Add a single-output node; returns its output name (`out` names it). */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    return this.nodeN(opType, inputs, out ? [out] : 1, attrs)[0]!;
  }

  graph(): GraphMsg {
    return {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }
}

export interface ModelOptions {
  opset: number;
  irVersion: number;
  metadata?: Record<string, string>;
  producerName?: string;
}

export function modelMsg(graph: GraphMsg, o: ModelOptions): ModelMsg {
  const m: ModelMsg = {
    irVersion: o.irVersion,
    producerName: o.producerName ?? 'checkpoint-coverage',
    graph,
    opsetImport: [{ domain: '', version: o.opset }],
  };
  if (o.metadata) m.metadataProps = Object.entries(o.metadata).map(([key, value]) => ({ key, value }));
  return m;
}
