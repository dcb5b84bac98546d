// The model's signature (inputs, outputs, opset, metadata) in the shape planModel reads.
// Interim: decodes the whole file, which is fine for the generated test models only; it is
// replaced by the ONNX module's streaming readSignature when that lands.
import { promises as fs } from 'node:fs';
import { decodeModel } from '../core/onnx/encode';
import type { ValueInfo } from '../core/onnx/schema';
import type { SignatureLike, TensorSignature } from './signature';

function tensorSig(v: ValueInfo): TensorSignature {
  const t = v.type?.tensorType;
  return {
    name: v.name,
    elemType: t?.elemType ?? 0,
    shape: t?.shape?.dim?.map((d) => (d.dimValue !== undefined && d.dimValue !== null ? Number(d.dimValue) : d.dimParam ?? null)),
  };
}

export async function readModelSignature(modelPath: string): Promise<SignatureLike> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(modelPath);
  } catch (e) {
    throw new Error(`${modelPath}: cannot read the model (${(e as Error).message})`);
  }
  let m;
  try {
    m = decodeModel(bytes);
  } catch (e) {
    throw new Error(`${modelPath}: not an ONNX model (${(e as Error).message})`);
  }
  if (!m.graph) throw new Error(`${modelPath}: not an ONNX model (no graph)`);
  const initializers = new Set((m.graph.initializer ?? []).map((t) => t.name));
  return {
    inputs: (m.graph.input ?? []).filter((v) => !initializers.has(v.name)).map(tensorSig),
    outputs: (m.graph.output ?? []).map(tensorSig),
    opset: (m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0,
    metadata: Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key, p.value])),
  };
}
