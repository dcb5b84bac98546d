// Figures by response length (issue 15, item 3): cross-entropy per sequence grows with the
// response's length, coverage need not ("The Coverage Principle", ICLR 2026), so the report
// splits the samples into response-length quartiles and gives both per quartile.
//
// The quartiles (README, "By response length"): with ℓ(1) ≤ … ≤ ℓ(n) the response lengths in
// tokens of the n samples the report uses, the bounds are the order statistics
// b_q = ℓ(⌈q·n/4⌉) for q = 1, 2, 3, and quartile 1 holds ℓ ≤ b1, quartile 2 b1 < ℓ ≤ b2,
// quartile 3 b2 < ℓ ≤ b3, quartile 4 ℓ > b3. Samples of one length always share a quartile, so
// with many equal lengths the quartiles are unequal and some may be empty.
import type { CheckpointScores } from '../types';
import { coverageProfile, logRatios, type CoveragePoint } from './coverage';
import { crossEntropy } from './crossEntropy';

/** The three bounds b1 ≤ b2 ≤ b3 over the samples of `set`; null when the set is empty. */
export function lengthQuartileBounds(tokenCounts: ArrayLike<number>, set: Int32Array): [number, number, number] | null {
  const n = set.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(set, (i) => tokenCounts[i]).sort();
  const at = (q: number) => sorted[Math.ceil((q * n) / 4) - 1];
  return [at(1), at(2), at(3)];
}

/** The samples of `set` in each of the four quartiles (in `set`'s order). */
export function lengthQuartiles(tokenCounts: ArrayLike<number>, set: Int32Array): Int32Array[] {
  const bounds = lengthQuartileBounds(tokenCounts, set);
  const bins: number[][] = [[], [], [], []];
  if (bounds) {
    for (const i of set) {
      const len = tokenCounts[i];
      bins[len <= bounds[0] ? 0 : len <= bounds[1] ? 1 : len <= bounds[2] ? 2 : 3].push(i);
    }
  }
  return bins.map((b) => Int32Array.from(b));
}

export interface LengthQuartileMetrics {
  /** 1 … 4, shortest responses first. */
  quartile: number;
  /** The shortest and longest response in the quartile, in tokens; null when it is empty. */
  minTokens: number | null;
  maxTokens: number | null;
  samples: number;
  /** Cross-entropy per token over the quartile's samples (NaN when it is empty). */
  cePerToken: number;
  /**
   * Cov_N over the quartile's samples that have a usable reference value (logRatios), in grid
   * order; null without a reference or when no sample of the quartile has one.
   */
  coverage: CoveragePoint[] | null;
}

/** One checkpoint's cross-entropy and coverage in each quartile (lengthQuartiles). */
export function byLengthMetrics(
  scores: CheckpointScores,
  quartiles: readonly Int32Array[],
  r: Float64Array | null,
  nGrid: readonly number[],
): LengthQuartileMetrics[] {
  return quartiles.map((bin, q) => {
    let minTokens: number | null = null;
    let maxTokens: number | null = null;
    for (const i of bin) {
      const len = scores.tokenCounts[i];
      if (minTokens === null || len < minTokens) minTokens = len;
      if (maxTokens === null || len > maxTokens) maxTokens = len;
    }
    const L = r ? logRatios(r, scores.seqLogprob, bin) : null;
    return {
      quartile: q + 1,
      minTokens,
      maxTokens,
      samples: bin.length,
      cePerToken: crossEntropy(scores.seqLogprob, scores.tokenCounts, bin).perToken,
      coverage: L && L.length > 0 ? coverageProfile(L, nGrid) : null,
    };
  });
}
