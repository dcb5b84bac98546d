// Turns a burst of file-system events into one batch of net changes. chokidar reports a
// trainer writing a checkpoint as many events (add, change, change, rename…); the session
// rescans once per batch. Pure: the watcher feeds events in, a debounce timer drains them.
import { runRelative } from '../core/paths';
import type { CheckpointEntry } from '../core/types';

export type RawEventKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface RawEvent {
  kind: RawEventKind;
  /** Path relative to the run root with '/' separators. */
  path: string;
}

/** What a path means to the run. */
export type PathRole = 'ignored' | 'config' | 'eval' | 'checkpoint';

export type NetChange = 'added' | 'changed' | 'removed';

export interface WatchBatch {
  /** coverage.json changed: settings, eval set or reference may differ. */
  config: boolean;
  /** The eval set, tokenizer or reference model changed: every score is stale. */
  eval: boolean;
  /** Net change per touched path that may belong to a checkpoint. */
  checkpoints: Map<string, NetChange>;
}

const TEMP_SUFFIX = /\.(tmp|temp|partial|incomplete|part|crdownload|swp)$/i;

export interface ClassifyOptions {
  /** Store folder relative to the run root ('.coverage' unless moved elsewhere). */
  storeDir?: string;
  /** Run-relative paths of the eval file, tokenizer and reference model. */
  evalPaths?: readonly string[];
}

export function classifyPath(rel: string, options: ClassifyOptions = {}): PathRole {
  const path = rel.replace(/\\/g, '/').replace(/^\.\//, '');
  const store = (options.storeDir ?? '.coverage').replace(/\/+$/, '');
  if (path === '' || path === store || path.startsWith(store + '/')) return 'ignored';
  // Hidden names are editors' and trainers' temporary files (and .git); the run contract skips them.
  if (path.split('/').some((seg) => seg.startsWith('.'))) return 'ignored';
  if (TEMP_SUFFIX.test(path)) return 'ignored';
  if (path === 'coverage.json') return 'config';
  if ((options.evalPaths ?? ['eval.jsonl', 'tokenizer.json']).includes(path)) return 'eval';
  return 'checkpoint';
}

/**
 * Net effect of a sequence of events per path: created-then-deleted is nothing,
 * deleted-then-created is a replacement, created-then-modified is still a creation.
 */
function combine(prev: NetChange | undefined, kind: RawEventKind): NetChange | undefined {
  const next: NetChange = kind === 'add' || kind === 'addDir' ? 'added' : kind === 'change' ? 'changed' : 'removed';
  if (prev === undefined) return next;
  if (prev === 'added') return next === 'removed' ? undefined : 'added';
  if (prev === 'removed') return next === 'removed' ? 'removed' : 'changed';
  return next === 'removed' ? 'removed' : 'changed';
}

export function coalesce(events: readonly RawEvent[], options: ClassifyOptions = {}): WatchBatch {
  const batch: WatchBatch = { config: false, eval: false, checkpoints: new Map() };
  const seen = new Map<string, NetChange | undefined>();
  for (const e of events) {
    const path = e.path.replace(/\\/g, '/');
    const role = classifyPath(path, options);
    if (role === 'ignored') continue;
    if (role === 'config') batch.config = true;
    else if (role === 'eval') batch.eval = true;
    else seen.set(path, combine(seen.has(path) ? seen.get(path) : undefined, e.kind));
  }
  for (const [path, change] of seen) if (change) batch.checkpoints.set(path, change);
  return batch;
}

export function isEmptyBatch(b: WatchBatch): boolean {
  return !b.config && !b.eval && b.checkpoints.size === 0;
}

/** A checkpoint as the diff needs it: its identity and the run-relative files it is made of. */
export interface CheckpointFiles {
  path: string;
  step: number;
  /** Run-relative model and weight files. */
  files: readonly string[];
}

export interface CheckpointDiff {
  added: string[];
  removed: string[];
  /** Same identity, but one of its files was written again: its scores are stale. */
  replaced: string[];
}

/** A checkpoint as diffCheckpoints compares it: its model and data files, run-relative. */
export function checkpointFiles(root: string, e: CheckpointEntry): CheckpointFiles {
  return { path: e.path, step: e.step, files: [e.path, ...e.dataPaths.map((p) => runRelative(root, p) ?? p)] };
}

/** What changed between two scans, given the batch's touched paths. */
export function diffCheckpoints(
  prev: readonly CheckpointFiles[],
  next: readonly CheckpointFiles[],
  touched: ReadonlyMap<string, NetChange>,
): CheckpointDiff {
  const before = new Set(prev.map((c) => c.path));
  const after = new Set(next.map((c) => c.path));
  const added = next.filter((c) => !before.has(c.path)).map((c) => c.path);
  const removed = prev.filter((c) => !after.has(c.path)).map((c) => c.path);
  const replaced = next
    .filter((c) => before.has(c.path))
    .filter(
      (c) =>
        c.files.some((f) => {
          const t = touched.get(f);
          return t === 'changed' || t === 'added';
        }) || isInsideTouchedDir(c, touched),
    )
    .map((c) => c.path);
  return { added, removed, replaced };
}

/** A checkpoint directory deleted and written again (renamed into place) shows as a dir event. */
function isInsideTouchedDir(c: CheckpointFiles, touched: ReadonlyMap<string, NetChange>): boolean {
  const slash = c.path.lastIndexOf('/');
  if (slash < 0) return false;
  const dir = c.path.slice(0, slash);
  return touched.get(dir) === 'changed';
}
