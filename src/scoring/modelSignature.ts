// The model's signature in the shape planModel reads, from the ONNX module's streaming
// reader (weights are skipped, never loaded), plus a check that the external weight files the
// model names are there, so a missing one is named before onnxruntime tries to map it.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { readSignature } from '../core/onnx/signature';
import type { SignatureLike } from './signature';

export async function readModelSignature(modelPath: string): Promise<SignatureLike> {
  const sig = readSignature(modelPath);
  for (const f of sig.externalDataFiles) {
    const file = join(dirname(modelPath), f);
    try {
      await fs.access(file);
    } catch {
      throw new Error(`${modelPath}: the external weights file ${f} it names is missing (expected at ${file})`);
    }
  }
  const tensor = (t: (typeof sig.inputs)[number]) => ({ name: t.name, elemType: t.elemType, shape: t.shape ?? undefined });
  return {
    inputs: sig.inputs.map(tensor),
    outputs: sig.outputs.map(tensor),
    opset: sig.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0,
    metadata: sig.metadata,
  };
}
