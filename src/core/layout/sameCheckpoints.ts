// Checkpoints that are not what they seem: several of one step, or byte-identical copies of an
// earlier one. The scan (scan.ts) marks them; the tree, the report and the CLI say so.
import type { CheckpointEntry, InputProblem } from '../types';
import type { HashCache } from '../hashcache';
import { fsErrorCode as errCode } from '../paths';

/** A checkpoint with its files, as the scan found them (sorted by step, then path). */
export interface Hashable {
  entry: CheckpointEntry;
  files: readonly { abs: string; size: number; mtimeMs: number }[];
}

/** Marks checkpoints that share a step with others (each names the others). */
export function flagSameStep(entries: CheckpointEntry[]): void {
  const byStep = new Map<number, CheckpointEntry[]>();
  for (const e of entries) byStep.set(e.step, [...(byStep.get(e.step) ?? []), e]);
  for (const group of byStep.values()) {
    if (group.length < 2) continue;
    for (const e of group) e.sameStep = group.filter((o) => o !== e).map((o) => o.path);
  }
}

/**
 * Byte-identical checkpoints: only checkpoints whose files have equal sizes can be identical,
 * so only those are hashed. The earliest (by step, then path) is the original.
 */
export async function flagDuplicates(sorted: readonly Hashable[], cache: HashCache, problems: InputProblem[]): Promise<void> {
  const bySize = new Map<string, Hashable[]>();
  for (const c of sorted) {
    const key = c.files.map((f) => f.size).join(',');
    bySize.set(key, [...(bySize.get(key) ?? []), c]);
  }
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    const firstByDigest = new Map<string, string>();
    for (const c of group) {
      let digest: string;
      try {
        const parts = await Promise.all(c.files.map((f) => cache.hash(f.abs, f.size, f.mtimeMs)));
        digest = parts.join(',');
      } catch (e) {
        problems.push({ file: c.entry.path, message: `cannot read to compare with other checkpoints (${errCode(e)})` });
        continue;
      }
      const first = firstByDigest.get(digest);
      if (first === undefined) firstByDigest.set(digest, c.entry.path);
      else c.entry.duplicateOf = first;
    }
  }
  await cache.save();
}
