// The subset of the ONNX protobuf schema our writer and tests need, as a protobufjs
// reflection tree. Field numbers follow the ONNX IR spec; names are camelCase because
// only the numbers reach the wire. Each message is marked proto2 (explicit presence, like
// onnx.proto): protobufjs's JSON default is implicit presence, which would drop a field set
// to 0 or '' (a `dimValue: 0` would then read back as an unknown dimension).
import * as protobuf from 'protobufjs';

type FieldDef = { type: string; id: number; rule?: 'repeated' };
const f = (type: string, id: number): FieldDef => ({ type, id });
const r = (type: string, id: number): FieldDef => ({ type, id, rule: 'repeated' });

const messages: Record<string, Record<string, FieldDef>> = {
  StringStringEntryProto: { key: f('string', 1), value: f('string', 2) },
  OperatorSetIdProto: { domain: f('string', 1), version: f('int64', 2) },
  TensorShapeProto: { dim: r('Dimension', 1) },
  Dimension: { dimValue: f('int64', 1), dimParam: f('string', 2), denotation: f('string', 3) },
  TypeTensor: { elemType: f('int32', 1), shape: f('TensorShapeProto', 2) },
  TypeProto: { tensorType: f('TypeTensor', 1), denotation: f('string', 6) },
  ValueInfoProto: { name: f('string', 1), type: f('TypeProto', 2), docString: f('string', 3) },
  TensorProto: {
    dims: r('int64', 1),
    dataType: f('int32', 2),
    floatData: r('float', 4),
    int32Data: r('int32', 5),
    stringData: r('bytes', 6),
    int64Data: r('int64', 7),
    name: f('string', 8),
    rawData: f('bytes', 9),
    doubleData: r('double', 10),
    uint64Data: r('uint64', 11),
    docString: f('string', 12),
    externalData: r('StringStringEntryProto', 13),
    dataLocation: f('int32', 14),
  },
  AttributeProto: {
    name: f('string', 1),
    f: f('float', 2),
    i: f('int64', 3),
    s: f('bytes', 4),
    t: f('TensorProto', 5),
    g: f('GraphProto', 6),
    floats: r('float', 7),
    ints: r('int64', 8),
    strings: r('bytes', 9),
    tensors: r('TensorProto', 10),
    graphs: r('GraphProto', 11),
    docString: f('string', 13),
    tp: f('TypeProto', 14),
    type: f('int32', 20),
    refAttrName: f('string', 21),
  },
  NodeProto: {
    input: r('string', 1),
    output: r('string', 2),
    name: f('string', 3),
    opType: f('string', 4),
    attribute: r('AttributeProto', 5),
    docString: f('string', 6),
    domain: f('string', 7),
  },
  GraphProto: {
    node: r('NodeProto', 1),
    name: f('string', 2),
    initializer: r('TensorProto', 5),
    docString: f('string', 10),
    input: r('ValueInfoProto', 11),
    output: r('ValueInfoProto', 12),
    valueInfo: r('ValueInfoProto', 13),
  },
  ModelProto: {
    irVersion: f('int64', 1),
    producerName: f('string', 2),
    producerVersion: f('string', 3),
    domain: f('string', 4),
    modelVersion: f('int64', 5),
    docString: f('string', 6),
    graph: f('GraphProto', 7),
    opsetImport: r('OperatorSetIdProto', 8),
    metadataProps: r('StringStringEntryProto', 14),
  },
};

const nested: Record<string, { edition: string; fields: Record<string, FieldDef> }> = {};
for (const [name, fields] of Object.entries(messages)) nested[name] = { edition: 'proto2', fields };

/** The reflection root; look types up as `onnxRoot.lookupType('onnx.ModelProto')`. */
export const onnxRoot: protobuf.Root = protobuf.Root.fromJSON({ nested: { onnx: { nested } } });

export const ModelProtoType = onnxRoot.lookupType('onnx.ModelProto');
export const GraphProtoType = onnxRoot.lookupType('onnx.GraphProto');
export const ValueInfoProtoType = onnxRoot.lookupType('onnx.ValueInfoProto');
export const TensorProtoType = onnxRoot.lookupType('onnx.TensorProto');

/** TensorProto.DataType values. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
} as const;
export type DataTypeName = keyof typeof DataType;

const dataTypeNames = new Map<number, DataTypeName>((Object.entries(DataType) as [DataTypeName, number][]).map(([k, v]) => [v, k]));
/** 'FLOAT', 'INT64', ... for a TensorProto.DataType value; `TYPE_<n>` for an unknown one. */
export function dataTypeName(t: number): string {
  return dataTypeNames.get(t) ?? `TYPE_${t}`;
}

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** TensorProto.DataLocation value for weights kept outside the model file. */
export const DATA_LOCATION_EXTERNAL = 1;

// Plain shapes of the messages we build; protobufjs encodes these objects directly.
export interface StringStringEntry {
  key: string;
  value: string;
}
export interface OperatorSetId {
  domain?: string;
  version: number;
}
export interface Dimension {
  dimValue?: number;
  dimParam?: string;
}
export interface TypeMsg {
  tensorType: { elemType: number; shape?: { dim: Dimension[] } };
}
export interface ValueInfo {
  name: string;
  type: TypeMsg;
  docString?: string;
}
export interface TensorMsg {
  name?: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  externalData?: StringStringEntry[];
  dataLocation?: number;
}
export interface AttributeMsg {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  g?: GraphMsg;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
export interface NodeMsg {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute?: AttributeMsg[];
}
export interface GraphMsg {
  name?: string;
  node: NodeMsg[];
  initializer?: TensorMsg[];
  input?: ValueInfo[];
  output?: ValueInfo[];
  valueInfo?: ValueInfo[];
  docString?: string;
}
export interface ModelMsg {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: GraphMsg;
  opsetImport?: OperatorSetId[];
  metadataProps?: StringStringEntry[];
}
