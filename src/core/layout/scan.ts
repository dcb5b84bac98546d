// The run-folder contract: which files in a run are checkpoints, which are still being
// written, and which problems the user should hear about. The rules are documented in
// README.md; naming rules in layout/naming.ts, Hugging Face folders in layout/hfCheckpoint.ts.
// A checkpoint is an ONNX model or a safetensors checkpoint (config.json + weights); ONNX
// wins when a step folder holds both.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CheckpointEntry, InputProblem } from '../types';
import { HashCache } from '../hashcache';
import { conventionalDataNames, isInProgressName, isOnnxName, isPickleWeights, isTrainerStaging, parseStep, pickModel } from './naming';
import { hfCheckpointFiles, pickleOnlyMessage, readModelType } from './hfCheckpoint';
import { DEFAULT_STORE } from '../defaults';
import { fsErrorCode as errCode } from '../paths';
import { childRel, walkRun, type FileInfo, type FolderInfo } from './walk';
import { flagDuplicates, flagSameStep } from './sameCheckpoints';

export interface RunLayout {
  root: string;
  /** Sorted by step, then path. */
  checkpoints: CheckpointEntry[];
  /** Run-relative paths of files and checkpoints still being written. */
  pending: string[];
  /**
   * The pending checkpoints held up only by a recent change (no in-progress name among their
   * files): they count once nothing has changed for the settle time. A front end that was
   * started right after a checkpoint was written waits for these (src/run/settle.ts).
   */
  settling: string[];
  /** When the last of `settling` counts if nothing changes again (ms since the epoch); 0 when none. */
  settledAt: number;
  problems: InputProblem[];
  /** Subfolders that are runs of their own (they hold coverage.json or eval.jsonl); not scanned as part of this run. */
  nestedRuns: string[];
}

export interface ScanOptions {
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
  /** A file changed more recently than this is still being written. Default 2000 ms. */
  settleMs?: number;
  /** The run's store folder (absolute, or relative to the root); never scanned. Default `.coverage`. */
  storeDir?: string;
  /** Shared between scans so a rescan hashes only what changed; a fresh in-memory one by default. */
  hashCache?: HashCache;
  /** Skip hashing (and so duplicate detection), e.g. for a quick listing. */
  skipDuplicates?: boolean;
  /**
   * Hook for the ONNX signature reader: the external-data file names a model's initializers
   * name (relative to the model's folder). Conventional names (`model.onnx_data`) are found
   * without it.
   */
  externalDataNames?: (modelPath: string) => Promise<string[] | undefined>;
}

export const DEFAULT_SETTLE_MS = 2000;
const NESTED_RUN_MARKERS = ['coverage.json', 'eval.jsonl'];

interface Candidate {
  entry: CheckpointEntry;
  files: FileInfo[];
  folder: string;
}

export async function scanRun(rootIn: string, opts: ScanOptions = {}): Promise<RunLayout> {
  const root = resolve(rootIn);
  const st = await stat(root).catch((e: unknown) => {
    throw new Error(`${root}: cannot read the run folder (${errCode(e)})`);
  });
  if (!st.isDirectory()) throw new Error(`${root}: expected a run folder, found a file`);

  const problems: InputProblem[] = [];
  const store = resolve(root, opts.storeDir ?? DEFAULT_STORE);
  const folders = await walkRun(root, { skip: [store] }, problems);
  const now = (opts.now ?? Date.now)();
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const changedAt = (f: FileInfo): number => Math.max(f.mtimeMs, f.ctimeMs);
  const settling = (f: FileInfo): boolean => now - changedAt(f) < settleMs;

  const found: { c: Candidate; folder: FolderInfo }[] = [];
  const pickles: { folder: FolderInfo; step: number; names: string[] }[] = [];
  const pending = new Set<string>();
  const markers: string[] = [];
  for (const folder of folders) {
    const ctx = folderStep(folder, problems);
    if (folder.rel !== '.' && ctx === undefined && folder.files.some((f) => NESTED_RUN_MARKERS.includes(f.name))) {
      markers.push(folder.rel);
    }
    const here = await folderCandidates(folder, ctx, opts, problems);
    const pickled = folder.files.map((f) => f.name).filter(isPickleWeights);
    if (ctx !== undefined && here.length === 0 && pickled.length > 0) pickles.push({ folder, step: ctx, names: pickled });
    for (const c of here) found.push({ c, folder });
    for (const f of folder.files) {
      if (isInProgressName(f.name) && /\.onnx/i.test(f.name)) pending.add(childRel(folder.rel, f.name));
    }
  }

  const nestedRuns = outermost(markers);
  const inNested = (p: string): boolean => nestedRuns.some((n) => p.startsWith(n + '/'));
  const all = found.map((x) => x.c);
  const candidates: Candidate[] = [];
  const recent: Candidate[] = [];
  for (const { c, folder } of found) {
    if (shadowedByOnnx(c, all)) continue;
    const inProgress = folder.files.filter((f) => isInProgressName(f.name) && relatesTo(f.name, c));
    for (const f of inProgress) pending.add(childRel(folder.rel, f.name));
    if (inProgress.length > 0 || folder.names.some(isTrainerStaging)) pending.add(c.entry.path);
    else if (c.files.some(settling)) {
      pending.add(c.entry.path);
      recent.push(c);
    } else candidates.push(c);
  }
  for (const p of pickles) {
    // Pickles below a checkpoint of the same step (DeepSpeed's global_stepN/*.pt) are its training state.
    if (
      !inNested(p.folder.rel) &&
      !all.some((c) => c.entry.step === p.step && (within(c.folder, p.folder.rel) || within(p.folder.rel, c.folder)))
    ) {
      problems.push({ file: p.folder.rel, message: pickleOnlyMessage(p.names) });
    }
  }
  const kept = candidates.filter((c) => !inNested(c.entry.path));
  kept.sort((a, b) => a.entry.step - b.entry.step || cmp(a.entry.path, b.entry.path));
  flagSameStep(kept.map((c) => c.entry));
  if (!opts.skipDuplicates) await flagDuplicates(kept, opts.hashCache ?? new HashCache(), problems);

  const settlingKept = recent.filter((c) => !inNested(c.entry.path));
  return {
    root,
    checkpoints: kept.map((c) => c.entry),
    pending: [...pending].filter((p) => !inNested(p)).sort(cmp),
    settling: settlingKept.map((c) => c.entry.path).sort(cmp),
    settledAt: Math.max(0, ...settlingKept.flatMap((c) => c.files.map((f) => changedAt(f) + settleMs))),
    problems,
    nestedRuns,
  };
}

/** The step of the nearest folder (this one or an ancestor inside the run) whose name carries one. */
function folderStep(folder: FolderInfo, problems: InputProblem[]): number | undefined {
  for (let i = folder.names.length - 1; i >= 0; i--) {
    const p = parseStep(folder.names[i]);
    if (p === undefined) continue;
    if ('step' in p) return p.step;
    if (i === folder.names.length - 1) {
      problems.push({ file: folder.rel, message: `step ${p.tooLarge} is too large to be an exact integer; folder skipped` });
    }
    return undefined;
  }
  return undefined;
}

async function folderCandidates(
  folder: FolderInfo,
  ctx: number | undefined,
  opts: ScanOptions,
  problems: InputProblem[],
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const unnamed: string[] = [];
  for (const f of folder.files) {
    if (!isOnnxName(f.name)) continue;
    const p = parseStep(f.name.replace(/\.onnx$/i, ''));
    if (p === undefined) unnamed.push(f.name);
    else if ('step' in p) out.push(await candidate(folder, f, p.step, opts, problems));
    else problems.push({ file: childRel(folder.rel, f.name), message: `step ${p.tooLarge} is too large to be an exact integer; skipped` });
  }
  // Files without a step of their own need a step folder around them; elsewhere (a reference
  // model, an exported tokenizer graph) they are not checkpoints.
  if (ctx !== undefined && unnamed.length > 0) {
    const pick = pickModel(unnamed);
    if (pick && 'model' in pick) {
      const f = folder.files.find((x) => x.name === pick.model) as FileInfo;
      out.push(await candidate(folder, f, ctx, opts, problems));
    } else if (pick) {
      problems.push({
        file: folder.rel,
        message: `several .onnx files (${pick.ambiguous.join(', ')}) and no model.onnx: cannot tell which is the model; rename it model.onnx or keep one`,
      });
    }
  }
  // A step folder's Hugging Face files, unless an ONNX model is its checkpoint (ONNX wins).
  if (ctx !== undefined && out.length === 0 && unnamed.length === 0) {
    const hf = await hfCheckpointFiles(folder, problems);
    if (hf) out.push(entryFor(folder, hf.model, hf.data, ctx, { format: 'safetensors', modelType: await readModelType(hf.data[0].abs) }));
  }
  return out;
}

async function candidate(
  folder: FolderInfo,
  model: FileInfo,
  step: number,
  opts: ScanOptions,
  problems: InputProblem[],
): Promise<Candidate> {
  const names = new Set(conventionalDataNames(model.name));
  const path = childRel(folder.rel, model.name);
  if (opts.externalDataNames) {
    try {
      for (const n of (await opts.externalDataNames(model.abs)) ?? []) names.add(n);
    } catch {
      // The signature reader reports unreadable models when they are scored.
    }
  }
  const data: FileInfo[] = [];
  for (const n of names) {
    const f = folder.files.find((x) => x.name === n);
    if (f) data.push(f);
    else if (!conventionalDataNames(model.name).includes(n)) {
      problems.push({ file: path, subject: n, message: `names external data '${n}', which is not in its folder` });
    }
  }
  return entryFor(folder, model, data, step, { format: 'onnx' });
}

function entryFor(
  folder: FolderInfo,
  model: FileInfo,
  data: FileInfo[],
  step: number,
  kind: Pick<CheckpointEntry, 'format' | 'modelType'>,
): Candidate {
  const files = [model, ...data];
  return {
    folder: folder.rel,
    files,
    entry: {
      step,
      path: childRel(folder.rel, model.name),
      modelPath: model.abs,
      dataPaths: data.map((f) => f.abs),
      sameStep: [],
      bytes: files.reduce((s, f) => s + f.size, 0),
      mtimeMs: Math.max(...files.map((f) => f.mtimeMs)),
      format: kind.format,
      ...(kind.modelType !== undefined ? { modelType: kind.modelType } : {}),
    },
  };
}

/**
 * ONNX wins: a safetensors checkpoint is not a second checkpoint of its step when an ONNX
 * model of that step lies in its folder or below it (an Optimum export into checkpoint-N/onnx/),
 * so runs laid out that way keep their checkpoints and store keys.
 */
function shadowedByOnnx(c: Candidate, all: Candidate[]): boolean {
  return (
    c.entry.format === 'safetensors' &&
    all.some((o) => o.entry.format === 'onnx' && o.entry.step === c.entry.step && within(o.folder, c.folder))
  );
}

/** Whether run-relative folder `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  return outer === '.' || inner === outer || inner.startsWith(outer + '/');
}

/**
 * Whether an in-progress file holds up checkpoint `c`: its own temp files (`step-5.onnx.tmp`,
 * `.step-5.onnx_data.x`), or, for a model in a step folder, any temp or hidden ONNX file there
 * (a `.DS_Store` does not count).
 */
function relatesTo(name: string, c: Candidate): boolean {
  const modelName = c.files[0].name;
  if (name.replace(/^\./, '').startsWith(modelName)) return true;
  const ownStep = parseStep(modelName.replace(/\.onnx$/i, '')) !== undefined;
  return !ownStep && (/\.(tmp|partial|incomplete)$/i.test(name) || /\.onnx/i.test(name));
}

function outermost(rels: string[]): string[] {
  const sorted = [...rels].sort(cmp);
  return sorted.filter((r) => !sorted.some((o) => o !== r && r.startsWith(o + '/')));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
