// A checkpoint's scoring plan from its files: the signature from the ONNX module's streaming
// reader (weights are skipped, never loaded), a check that the external weight files the model
// names are there, so a missing one is named before onnxruntime tries to map it, and the
// export's config.json beside the model. The scorer, the bench and `runs` plan the same way.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { readSignature } from '../core/onnx/readSignature';
import { FileError } from '../core/fileError';
import { planInput, planModel, type ModelPlan, type SignatureLike } from './plan';

export async function readModelSignature(modelPath: string): Promise<SignatureLike> {
  const sig = readSignature(modelPath);
  for (const f of sig.externalDataFiles) {
    const file = join(dirname(modelPath), f);
    try {
      await fs.access(file);
    } catch {
      throw new FileError(modelPath, `the external weights file ${f} it names is missing (expected at ${file})`);
    }
  }
  return planInput(sig);
}

type Log = (level: 'info' | 'warning', message: string) => void;

/** The export's config.json beside the model (sizes the graph leaves symbolic); {} when there is none. */
export async function readExportConfig(modelPath: string, log?: Log): Promise<Record<string, unknown>> {
  const file = join(dirname(modelPath), 'config.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    // Most exports have no config.json; one that is there but unreadable is worth a line.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      log?.('warning', `${file}: cannot be read (${(e as Error).message}); sizes it might state are ignored`);
    return {};
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  log?.('warning', `${file}: not a JSON object; sizes it might state are ignored`);
  return {};
}

/** The plan for the model at `modelPath`; errors name it by `label` (a run-relative path, say). */
export async function planCheckpoint(modelPath: string, label = modelPath, log?: Log): Promise<ModelPlan> {
  return planModel(await readModelSignature(modelPath), label, await readExportConfig(modelPath, log));
}
