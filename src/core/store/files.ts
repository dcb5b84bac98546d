// The score store on disk: one file per (checkpoint, eval set, scorer) key under the run's
// store folder (default `<run>/.coverage/scores`). Written to a temporary name and renamed, so
// a reader sees either the old file, the new one, or none; never half of one.
import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEFAULT_STORE } from '../defaults';
import { decodeScoreRecord, storeFileName, type ScoreRecord, type StoreKey } from './record';

/** The folder holding score files for a run; `configured` is relative to the run or absolute. */
export function scoresDir(runRoot: string, configured?: string): string {
  return join(resolve(runRoot, configured ?? DEFAULT_STORE), 'scores');
}

export type StoredLookup =
  | { status: 'ok'; file: string; record: ScoreRecord }
  | { status: 'missing'; file: string }
  | { status: 'invalid'; file: string; reason: string };

/** Reads the stored result for `key`; an unreadable or damaged file is 'invalid' (rescore it). */
export async function readStoredScores(dir: string, key: StoreKey): Promise<StoredLookup> {
  const file = join(dir, storeFileName(key));
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing', file };
    return { status: 'invalid', file, reason: `cannot read: ${(e as Error).message}` };
  }
  const r = decodeScoreRecord(bytes, key);
  return r.ok ? { status: 'ok', file, record: r.record } : { status: 'invalid', file, reason: r.reason };
}

/** The file operations a write uses; tests pass one that fails like a full disk. */
export interface StoreWriteIO {
  open(path: string, flags: 'wx'): Promise<{ writeFile(data: Uint8Array): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
}

const TEMP_MARK = '.tmp-';

/**
 * Writes `file` atomically: a temp file beside it (`<file>.tmp-<pid>-<random>`), fsync, rename,
 * so a reader sees the old file, the new one or none. On failure the temp file is removed and
 * the error rethrown. Used for every file other processes read while it may be rewritten.
 */
export async function writeFileAtomically(file: string, bytes: Uint8Array, io: StoreWriteIO = fs): Promise<void> {
  const tmp = `${file}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.mkdir(dirname(file), { recursive: true });
    const h = await io.open(tmp, 'wx');
    try {
      await h.writeFile(bytes);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * Writes a score file atomically (writeFileAtomically). Throws an error naming the file on
 * failure, after removing the temp file, so a failed write leaves nothing and the next run rescores.
 */
export async function writeStoredScores(dir: string, bytes: Uint8Array, key: StoreKey, io: StoreWriteIO = fs): Promise<string> {
  const file = join(dir, storeFileName(key));
  try {
    await writeFileAtomically(file, bytes, io);
    return file;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? ` (the disk or quota holding ${dir} is full; nothing partial was kept, and the checkpoint is scored again once there is room)`
        : '';
    throw new Error(`cannot write scores to ${file}: ${(e as Error).message}${hint}`);
  }
}

/**
 * Removes temp files left by writers that were killed mid-write. Readers never look at them
 * (lookups open the exact score file name); this only reclaims space. Age, not pid, decides,
 * since the writer may be on another machine sharing the store.
 */
export async function removeStaleTemps(dir: string, olderThanMs = 3_600_000): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.includes(`.ccscores${TEMP_MARK}`)) continue;
    const p = join(dir, name);
    const st = await fs.stat(p).catch(() => undefined);
    if (
      st &&
      Date.now() - st.mtimeMs > olderThanMs &&
      (await fs.rm(p).then(
        () => true,
        () => false,
      ))
    )
      removed.push(p);
  }
  return removed;
}
