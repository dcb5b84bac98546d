// The checkpoint entry a reference model (coverage.json's `reference: {model}`) is scored under.
// The CLI and the extension both score it like a checkpoint, into the same store: they must
// build the same entry, or each hashes other files and scores it again under its own key.
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CheckpointEntry } from '../types';
import { runRelative } from '../paths';
import { modelFormat } from '../safetensors';
import { hfDataNames } from './hfCheckpoint';
import { conventionalDataNames } from './naming';

/**
 * Step −1, the run-relative path (absolute outside the run), and the files beside the model that
 * belong to it and exist: an ONNX model's conventional external weight files, a safetensors
 * checkpoint's config.json and shards. They are part of the model, so of its store key.
 */
export async function referenceEntry(root: string, model: string): Promise<CheckpointEntry> {
  const modelPath = resolve(root, model);
  const format = modelFormat(modelPath);
  const names = format === 'safetensors' ? await hfDataNames(modelPath) : conventionalDataNames(basename(modelPath));
  const dataPaths: string[] = [];
  for (const name of names) {
    const p = join(dirname(modelPath), name);
    if (
      await stat(p).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      dataPaths.push(p);
  }
  return { step: -1, path: runRelative(root, modelPath) ?? modelPath, modelPath, dataPaths, sameStep: [], format };
}
