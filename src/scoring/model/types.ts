// What the scorer needs of a checkpoint, whatever its format: the bytes a session is made
// from, where their external weights are, what limits the samples it takes, and batches with
// their feeds. The scorer's loop (skipped samples, halving on out of memory, one-at-a-time
// reruns, ScoreErrors) is the same for every format; only these differ.
import type * as ort from 'onnxruntime-node';
import type { CheckpointFormat } from '../../core/types';
import type { BatchShape, Sequence } from '../batching';
import type { ModelPlan } from '../plan';

/** One batch: which samples, and the rows × tokens it is fed as (padding included). */
export interface ModelBatch extends BatchShape {
  /** Sample positions (into the sequences the batches were made of), in output order. */
  members: number[];
  /**
   * Packed rows: member r's row and where its first token sits in it. Absent: member r has
   * row r to itself from its start (right-padded batches).
   */
  at?: { row: number; offset: number }[];
}

export interface BatchFeeds {
  feeds: Record<string, ort.Tensor>;
  /** Where member r's first response log-prob is in the output; its others follow it. */
  starts: number[];
}

export interface PreparedModel extends Pick<ModelPlan, 'vocab' | 'maxTokens' | 'fixedBatch'> {
  format: CheckpointFormat;
  /** Folder onnxruntime resolves external-data locations against. */
  weightsDir: string;
  /** The output holding the log-probs the batch's labels pick. */
  output: string;
  bytes(): Promise<Uint8Array>;
  /** Batches of `seqs` whose padded size stays within `budget` (a longer sample or row goes alone). */
  batches(seqs: readonly Sequence[], budget: number): ModelBatch[];
  /** The inputs of `batch`, whose members are positions into `seqs`. */
  feeds(seqs: readonly Sequence[], batch: ModelBatch): BatchFeeds;
}
