// Packing samples into batches under a token budget. Pure (no onnxruntime), tested alone.
//
// A batch of b sequences padded to length S costs b·S tokens of activations and b·S·V
// logits, so the budget bounds b·S. Sorting by length puts similar lengths together, which
// wastes little padding; the longest go first so a budget too large for memory fails early.

import type { CheckpointFormat } from '../core/types';
import { fedLength, packBatches } from './packing';

export { DEFAULT_TOKEN_BUDGET } from '../core/defaults';

/** A sample's token ids, as batches are made of them. */
export interface Sequence {
  promptIds: ArrayLike<number>;
  responseIds: ArrayLike<number>;
}

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

/** What a batch costs in memory: the rows fed and their padded length. */
export interface BatchShape {
  rows: number;
  seqLen: number;
}

/**
 * The budget to try after running out of memory on batches of these shapes: half the padded
 * size of the largest batch of several rows, so each step really shrinks what failed;
 * undefined when every batch already holds one row (nothing smaller to try). A row is one
 * sample in a padded batch, and a few samples end to end when rows are packed (packing.ts):
 * a packed row costs what its longest sample alone would.
 */
export function halvedBudget(shapes: Iterable<BatchShape>): number | undefined {
  let largest = 0;
  for (const b of shapes) if (b.rows > 1) largest = Math.max(largest, b.rows * b.seqLen);
  return largest > 0 ? Math.max(1, Math.floor(largest / 2)) : undefined;
}

/** halvedBudget for the padded batches `budget` makes of samples of these lengths. */
export function smallerBudget(lengths: ArrayLike<number>, budget: number): number | undefined {
  return halvedBudget(planBatches(lengths, budget).map((b) => ({ rows: b.members.length, seqLen: b.seqLen })));
}

/**
 * halvedBudget for the batches a checkpoint of `format` is fed at `budget`: packed rows for a
 * safetensors checkpoint, padded batches for an ONNX export. What the worker client halves by
 * when a worker dies under a job, as the scorer does inside the worker.
 */
export function smallerBudgetFor(format: CheckpointFormat, samples: readonly Sequence[], budget: number): number | undefined {
  if (format === 'onnx')
    return smallerBudget(
      samples.map((s) => s.promptIds.length + s.responseIds.length),
      budget,
    );
  return halvedBudget(
    packBatches(
      samples.map((s) => fedLength(s.promptIds.length, s.responseIds.length)),
      budget,
    ).map((b) => ({ rows: b.rows, seqLen: b.rowLength })),
  );
}
