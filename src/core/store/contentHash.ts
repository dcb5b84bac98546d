// Content hash of a checkpoint (model file + external weight files; for a safetensors
// checkpoint its model.safetensors or shard index + config.json + the shards, since changing
// the config changes the model as surely as the weights), the first part of a score's store key. Per-file hashes come from the run's HashCache (the same one the layout
// scan uses for duplicates), so gigabytes are hashed once per change, not once per lookup.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { HashCache } from '../hashcache';
import { FileError, systemErrorText } from '../fileError';
import type { CheckpointEntry } from '../types';

/**
 * sha256 over each file's name and sha256, so renaming a weight file (which the model refers
 * to by name) also changes the key.
 */
export async function checkpointContentHash(entry: CheckpointEntry, cache: HashCache = new HashCache()): Promise<string> {
  const whole = createHash('sha256');
  for (const file of [entry.modelPath, ...[...entry.dataPaths].sort()]) {
    let sha: string;
    try {
      const st = await fs.stat(file);
      sha = await cache.hash(file, st.size, st.mtimeMs);
    } catch (e) {
      throw new FileError(file, `cannot read checkpoint file (${systemErrorText(e)})`, 'unreadable');
    }
    whole.update(`${basename(file)}\0${sha}\n`);
  }
  return whole.digest('hex');
}
