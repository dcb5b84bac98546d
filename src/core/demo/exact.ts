// Exact float64 scores of samples under a bigram logit table: what an ONNX scorer must
// reproduce (up to float32 log-softmax round-off) for the demo's checkpoints.
import type { CheckpointScores } from '../types';

/** Row-wise log-softmax of a V×V logit table, in float64. */
export function logSoftmaxRows(table: ArrayLike<number>, V: number): Float64Array {
  const out = new Float64Array(V * V);
  for (let a = 0; a < V; a++) {
    let max = -Infinity;
    for (let b = 0; b < V; b++) max = Math.max(max, table[a * V + b]);
    let z = 0;
    for (let b = 0; b < V; b++) z += Math.exp(table[a * V + b] - max);
    const lz = max + Math.log(z);
    for (let b = 0; b < V; b++) out[a * V + b] = table[a * V + b] - lz;
  }
  return out;
}

/** CheckpointScores of a bigram model (logits[t] = table[token t]) on prompt/response pairs. */
export function bigramScores(
  table: ArrayLike<number>,
  V: number,
  samples: ReadonlyArray<{ promptIds: readonly number[]; responseIds: readonly number[] }>,
): CheckpointScores {
  const lsm = logSoftmaxRows(table, V);
  const n = samples.length;
  const tokenCounts = new Uint32Array(n);
  const tokenOffsets = new Uint32Array(n + 1);
  samples.forEach((s, i) => {
    tokenCounts[i] = s.responseIds.length;
    tokenOffsets[i + 1] = tokenOffsets[i] + s.responseIds.length;
  });
  const tokenLogprobs = new Float32Array(tokenOffsets[n]);
  const seqLogprob = new Float64Array(n);
  samples.forEach((s, i) => {
    let prev = s.promptIds[s.promptIds.length - 1];
    let sum = 0;
    s.responseIds.forEach((b, t) => {
      const lp = lsm[prev * V + b];
      tokenLogprobs[tokenOffsets[i] + t] = lp;
      sum += lp;
      prev = b;
    });
    seqLogprob[i] = sum;
  });
  return { seqLogprob, tokenCounts, tokenOffsets, tokenLogprobs };
}
