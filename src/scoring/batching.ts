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

/** Why a sample cannot be scored by a model, or undefined when it can. */
export function sampleProblem(promptLen: number, responseLen: number, context: number | undefined): string | undefined {
  if (promptLen < 1) return 'has no prompt token: the first response token would have no context to be scored in';
  const total = promptLen + responseLen;
  if (context !== undefined && total > context) {
    return `has ${total} tokens, more than the model's context of ${context}; skipped, not truncated`;
  }
  return undefined;
}
