// Packing samples into batches under a token budget. Pure (no onnxruntime), tested alone.
//
// A batch of b sequences padded to length S costs b·S tokens of activations and b·S·V
// logits, so the budget bounds b·S. Sorting by length puts similar lengths together, which
// wastes little padding; the longest go first so a budget too large for memory fails early.

export { DEFAULT_TOKEN_BUDGET } from '../core/defaults';

export interface Batch {
  /** Sample positions (into the lengths array), longest first. */
  members: number[];
  /** Padded sequence length: the longest member's length. */
  seqLen: number;
}

/**
 * Groups sample positions into batches whose padded size (members × longest length) stays
 * within `budget`. A sample longer than the budget gets a batch of its own.
 */
export function planBatches(lengths: ArrayLike<number>, budget: number): Batch[] {
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`token budget must be a positive integer, got ${budget}`);
  const order = Array.from({ length: lengths.length }, (_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: Batch[] = [];
  let cur: Batch | undefined;
  for (const i of order) {
    // Sorted descending, so the first member sets seqLen for the whole batch.
    if (cur && (cur.members.length + 1) * cur.seqLen <= budget) {
      cur.members.push(i);
    } else {
      cur = { members: [i], seqLen: lengths[i] };
      batches.push(cur);
    }
  }
  return batches;
}

/**
 * Batches for a model exported with a fixed batch size: runs of exactly `size` rows, whatever
 * the budget (the export fixed the memory a run takes), still longest first. The last batch may
 * hold fewer samples; its empty rows are filled by the feeds.
 */
export function fixedBatches(lengths: ArrayLike<number>, size: number): Batch[] {
  const order = Array.from({ length: lengths.length }, (_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: Batch[] = [];
  for (let i = 0; i < order.length; i += size) {
    const members = order.slice(i, i + size);
    batches.push({ members, seqLen: lengths[members[0]] });
  }
  return batches;
}

/**
 * The budget to try after running out of memory at `budget`: half the padded size of the
 * largest batch of several samples that `budget` makes, so each step really shrinks what
 * failed; undefined when every batch already holds one sample (nothing smaller to try).
 */
export function smallerBudget(lengths: ArrayLike<number>, budget: number): number | undefined {
  let largest = 0;
  for (const b of planBatches(lengths, budget)) if (b.members.length > 1) largest = Math.max(largest, b.members.length * b.seqLen);
  return largest > 0 ? Math.max(1, Math.floor(largest / 2)) : undefined;
}
