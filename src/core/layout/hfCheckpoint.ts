// Hugging Face checkpoint folders in a run: a step folder holding config.json and
// model.safetensors (or model.safetensors.index.json and the shards it names) is a
// checkpoint; its model file is the safetensors file or the index, and config.json and the
// shards belong to it (they are its data files, so the content hash covers config + weights).
// A folder with only PyTorch pickle weights is named as a problem: unpickling runs code, so
// those files are never read.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileError } from '../fileError';
import { INDEX_FILE, parseShardIndex, SINGLE_FILE } from '../safetensors';
import type { CheckpointEntry, InputProblem } from '../types';
import { childRel, type FileInfo, type FolderInfo } from './walk';

export interface HfFiles {
  model: FileInfo;
  /** config.json, then the shards in index order. */
  data: FileInfo[];
}

const byName = (folder: FolderInfo, name: string): FileInfo | undefined => folder.files.find((f) => f.name === name);

/** The Hugging Face checkpoint a step folder holds; problems found on the way are pushed. */
export async function hfCheckpointFiles(folder: FolderInfo, problems: InputProblem[]): Promise<HfFiles | undefined> {
  const single = byName(folder, SINGLE_FILE);
  const index = byName(folder, INDEX_FILE);
  if (!single && !index) return undefined;
  const say = (message: string): undefined => {
    problems.push({ file: folder.rel, message });
    return undefined;
  };
  if (single && index) {
    return say(`holds both ${SINGLE_FILE} and ${INDEX_FILE}: cannot tell which weights are current; remove the stale one`);
  }
  const config = byName(folder, 'config.json');
  if (!config)
    return say(
      `holds ${(single ?? index)!.name} but no config.json: the model's architecture is read from config.json, which save_pretrained writes beside the weights`,
    );
  if (single) return { model: single, data: [config] };
  const indexRel = childRel(folder.rel, INDEX_FILE);
  let shards: string[] = [];
  try {
    shards = parseShardIndex(await readFile(index!.abs, 'utf8'), indexRel).shards;
  } catch (e) {
    // Still a checkpoint: scoring it fails with this same reason, next to its name.
    problems.push({ file: indexRel, message: e instanceof FileError ? e.reason : String(e) });
  }
  const data = [config];
  for (const s of shards) {
    const f = byName(folder, s);
    if (f) data.push(f);
    else problems.push({ file: indexRel, subject: s, message: `names the shard ${s}, which is not in its folder` });
  }
  return { model: index!, data };
}

/**
 * The data files of the safetensors checkpoint whose model file is `entry`, by name: config.json
 * and, for an index, the shards it names (none when it cannot be read: scoring says why). For a
 * model outside any step folder, such as a reference model.
 */
export async function hfDataNames(entry: string): Promise<string[]> {
  if (basename(entry) !== INDEX_FILE) return ['config.json'];
  try {
    return ['config.json', ...parseShardIndex(await readFile(entry, 'utf8'), entry).shards];
  } catch {
    return ['config.json'];
  }
}

export function pickleOnlyMessage(names: string[]): string {
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : names.join(', ');
  return (
    `holds only PyTorch pickle weights (${shown}), which are not read: loading a pickle can run arbitrary code. ` +
    "Save the checkpoint as safetensors (transformers writes model.safetensors by default since 4.35: model.save_pretrained(dir), or the Trainer's save_safetensors=True) or export it to ONNX"
  );
}

/** How a checkpoint is stored, for listings: `onnx`, or `safetensors llama` (config.json's model_type). */
export function modelLabel(e: Pick<CheckpointEntry, 'format' | 'modelType'>): string {
  return [e.format ?? 'onnx', e.modelType].filter(Boolean).join(' ');
}

/** model_type from config.json, for listings; undefined when it cannot be read (scoring names why). */
export async function readModelType(configPath: string): Promise<string | undefined> {
  try {
    const v = JSON.parse(await readFile(configPath, 'utf8')) as { model_type?: unknown } | null;
    return typeof v?.model_type === 'string' ? v.model_type : undefined;
  } catch {
    return undefined;
  }
}
