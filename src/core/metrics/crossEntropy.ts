// Cross-entropy of a checkpoint on the eval set, per token and per sequence (docs/metrics.md, "Cross-entropy").

export interface CrossEntropy {
  /** −Σ s(i) / Σ |y_i|, nats per token. +∞ when some sample has probability 0. */
  perToken: number;
  /** perToken / ln 2. */
  bitsPerToken: number;
  /** −(1/n) Σ s(i), nats per sequence; grows with response length. */
  perSequence: number;
  samples: number;
  tokens: number;
}

/** Cross-entropy over the samples in `set` (indices into seqLogprob / tokenCounts). */
export function crossEntropy(seqLogprob: Float64Array, tokenCounts: ArrayLike<number>, set: Int32Array): CrossEntropy {
  let sum = 0;
  let tokens = 0;
  for (let j = 0; j < set.length; j++) {
    const i = set[j];
    sum += seqLogprob[i];
    tokens += tokenCounts[i];
  }
  const n = set.length;
  // −(−∞) is +∞; a zero-token set has no defined rate.
  const perToken = tokens > 0 ? -sum / tokens : Number.NaN;
  return { perToken, bitsPerToken: perToken / Math.LN2, perSequence: n > 0 ? -sum / n : Number.NaN, samples: n, tokens };
}
