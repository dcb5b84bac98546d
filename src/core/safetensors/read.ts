// Reading a checkpoint's safetensors headers from disk: one file, or the shards an index
// names. Only headers are read (a few kilobytes per file); the tensors stay on disk for
// onnxruntime to map.
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileError, systemErrorText } from '../fileError';
import { headerLength, parseHeader, type SafetensorsHeader, type TensorInfo } from './header';
import { INDEX_FILE, parseShardIndex } from './index-file';

/** A tensor and where onnxruntime finds its bytes: `fileName` inside `CheckpointWeights.weightsDir`. */
export interface WeightRef extends TensorInfo {
  fileName: string;
  file: string;
}

export interface CheckpointWeights {
  /** The folder the weight files really are in (after links): onnxruntime's external-data folder. */
  weightsDir: string;
  /** Absolute paths of the weight files as the checkpoint names them. */
  files: string[];
  tensors: Map<string, WeightRef>;
}

export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  let h: fs.FileHandle;
  try {
    h = await fs.open(path, 'r');
  } catch (e) {
    throw new FileError(path, `cannot read the weights file (${systemErrorText(e)})`, 'unreadable');
  }
  try {
    const { size } = await h.stat();
    const first8 = new Uint8Array(8);
    await h.read(first8, 0, 8, 0);
    const n = headerLength(first8, size, path);
    const json = new Uint8Array(n);
    const { bytesRead } = await h.read(json, 0, n, 8);
    if (bytesRead !== n) throw new FileError(path, 'the file ended inside its header (truncated while being read?)');
    return parseHeader(json, size, path);
  } finally {
    await h.close();
  }
}

/**
 * The weights of the checkpoint whose entry file is `entry` (model.safetensors, or the
 * index of a sharded one). onnxruntime refuses external data behind a symbolic link, and
 * the Hugging Face cache links every file to a blob: the locations are the real files'
 * names in their real folder, which all shards must share.
 */
export async function readCheckpointWeights(entry: string): Promise<CheckpointWeights> {
  const folder = dirname(entry);
  let names: string[];
  let weightMap: Map<string, string> | undefined;
  if (basename(entry) === INDEX_FILE) {
    let text: string;
    try {
      text = await fs.readFile(entry, 'utf8');
    } catch (e) {
      throw new FileError(entry, `cannot read the shard index (${systemErrorText(e)})`, 'unreadable');
    }
    const index = parseShardIndex(text, entry);
    names = index.shards;
    weightMap = index.weightMap;
    for (const s of names) {
      const p = join(folder, s);
      try {
        await fs.access(p);
      } catch {
        throw new FileError(entry, `names the shard ${s}, which is missing (expected at ${p})`);
      }
    }
  } else {
    names = [basename(entry)];
  }
  const tensors = new Map<string, WeightRef>();
  const files = names.map((n) => join(folder, n));
  const real = await Promise.all(
    files.map((f) =>
      fs.realpath(f).catch((e: unknown) => {
        throw new FileError(f, `cannot read the weights file (${systemErrorText(e)})`, 'unreadable');
      }),
    ),
  );
  const weightsDir = dirname(real[0]);
  for (let i = 0; i < files.length; i++) {
    if (dirname(real[i]) !== weightsDir) {
      throw new FileError(
        files[i],
        `links to ${real[i]}, outside ${weightsDir} where ${basename(files[0])} is; onnxruntime needs all weight files of a checkpoint in one folder`,
      );
    }
    const header = await readSafetensorsHeader(files[i]);
    for (const t of header.tensors.values()) {
      const owner = weightMap?.get(t.name);
      // A tensor the index places elsewhere is that shard's; one it does not list is still usable.
      if (owner !== undefined && owner !== names[i]) continue;
      tensors.set(t.name, { ...t, fileName: basename(real[i]), file: files[i] });
    }
  }
  for (const [name, shard] of weightMap ?? []) {
    if (!tensors.has(name)) throw new FileError(entry, `places tensor ${name} in ${shard}, which does not hold it`);
  }
  return { weightsDir, files, tensors };
}
