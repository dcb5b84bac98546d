// Content hash of a checkpoint (model file + external weight files), the first part of a
// score's store key. Hashing gigabytes takes seconds, so hashes are remembered per file
// under (size, mtime, inode) in a small JSON file next to the scores; a file rewritten in place
// changes its mtime and is hashed again.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import type { CheckpointEntry } from '../types';

interface CachedHash { size: number; mtimeMs: number; ino: number; sha256: string }
type HashCache = Record<string, CachedHash>;

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function loadCache(file: string): Promise<HashCache> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as HashCache) : {};
  } catch {
    return {};
  }
}

/**
 * Hash of the checkpoint's bytes: sha256 over each file's name and sha256, so renaming a
 * weight file (which the model refers to by name) also changes the key.
 * `cacheFile` (optional) remembers per-file hashes between runs.
 */
export async function checkpointContentHash(entry: CheckpointEntry, cacheFile?: string): Promise<string> {
  const cache = cacheFile ? await loadCache(cacheFile) : {};
  let changed = false;
  const whole = createHash('sha256');
  for (const file of [entry.modelPath, ...[...entry.dataPaths].sort()]) {
    let st;
    try {
      st = await fs.stat(file);
    } catch (e) {
      throw new Error(`${file}: cannot read checkpoint file (${(e as Error).message})`);
    }
    const c = cache[file];
    let sha = c && c.size === st.size && c.mtimeMs === st.mtimeMs && c.ino === st.ino ? c.sha256 : undefined;
    if (!sha) {
      sha = await sha256File(file);
      cache[file] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: sha };
      changed = true;
    }
    whole.update(`${basename(file)}\0${sha}\n`);
  }
  if (cacheFile && changed) await saveCache(cacheFile, cache);
  return whole.digest('hex');
}

async function saveCache(file: string, cache: HashCache): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await fs.mkdir(join(file, '..'), { recursive: true });
    await fs.writeFile(tmp, JSON.stringify(cache));
    await fs.rename(tmp, file);
  } catch {
    // The cache only saves time; a read-only or full disk must not fail the scoring.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}
