// Scores and store records for tests that need a checkpoint's numbers without running a model:
// the one way the unit tests build a CheckpointScores or a ScoreRecord.
import type { ScoreRecord, ScoreRunInfo, StoreKey } from '../../src/core/store';
import type { CheckpointScores } from '../../src/core/types';

/** Offsets into the token log-probs from each sample's response length. */
function offsetsOf(counts: Uint32Array): Uint32Array {
  const offsets = new Uint32Array(counts.length + 1);
  counts.forEach((c, i) => (offsets[i + 1] = offsets[i] + c));
  return offsets;
}

/**
 * Scores with `seq` as each sample's s(i) (NaN: skipped). `tokens` is each response's length, one
 * number for every sample or one per sample; the per-token log-probs are zeros, for tests where
 * only s(i) and the token counts matter (metrics, reports, CSV).
 */
export function testScores(seq: readonly number[], tokens: number | readonly number[] = 1): CheckpointScores {
  const counts = typeof tokens === 'number' ? new Uint32Array(seq.length).fill(tokens) : Uint32Array.from(tokens);
  if (counts.length !== seq.length) throw new Error(`testScores: ${seq.length} samples but ${counts.length} token counts`);
  const tokenOffsets = offsetsOf(counts);
  return {
    seqLogprob: Float64Array.from(seq),
    tokenCounts: counts,
    tokenOffsets,
    tokenLogprobs: new Float32Array(tokenOffsets[counts.length]),
  };
}

/**
 * Scores as the scorer makes them: `logprob(k)` is the k-th response token's log-prob (over all
 * samples, in order), stored in float32, and s(i) is the float64 sum of the sample's tokens.
 */
export function tokenScores(counts: readonly number[], logprob: (k: number) => number): CheckpointScores {
  const tokenCounts = Uint32Array.from(counts);
  const tokenOffsets = offsetsOf(tokenCounts);
  const tokenLogprobs = Float32Array.from({ length: tokenOffsets[counts.length] }, (_, k) => logprob(k));
  const seqLogprob = Float64Array.from(counts, (_, i) => {
    let s = 0;
    for (let k = tokenOffsets[i]; k < tokenOffsets[i + 1]; k++) s += tokenLogprobs[k];
    return s;
  });
  return { seqLogprob, tokenCounts, tokenOffsets, tokenLogprobs };
}

export const TEST_KEY: StoreKey = { checkpointHash: 'a'.repeat(64), evalSetHash: 'b'.repeat(64), scorerVersion: '1' };

/** A store record holding `scores`, under `key` (TEST_KEY by default), with run info a test may override. */
export function testRecord(scores: CheckpointScores, o: { key?: StoreKey; info?: Partial<ScoreRunInfo> } = {}): ScoreRecord {
  return {
    key: o.key ?? TEST_KEY,
    info: {
      checkpointPath: 'step-100/model.onnx',
      provider: 'cpu',
      attempts: [{ provider: 'cpu', ok: true }],
      skipped: [],
      seconds: 1.5,
      tokens: 99,
      createdAt: '2026-01-01T00:00:00Z',
      ...o.info,
    },
    scores,
  };
}
