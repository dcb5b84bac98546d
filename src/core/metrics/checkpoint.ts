// Every per-checkpoint number of the report, from one checkpoint's scores and a reference.
import type { CheckpointScores } from '../types';
import { crossEntropy, type CrossEntropy } from './crossEntropy';
import { coverageProfile, logRatios, type CoveragePoint } from './coverage';
import { meanLogRatio } from './kl';
import { meanPassAtN } from './passAt';
import { wilsonFromShare } from './wilson';

export interface PassAtPoint {
  N: number;
  passAt: number;
  interval: [number, number];
}

export interface CheckpointMetrics {
  samples: number;
  tokens: number;
  ce: CrossEntropy;
  /** Mean of L when r is a density (a KL estimate; +∞ stays +∞), else null. */
  kl: number | null;
  /** Null when there is no r to compare against. */
  coverage: CoveragePoint[] | null;
  /** Only for the point-mass reference. */
  passAt: PassAtPoint[] | null;
}

export interface MetricsOptions {
  /** r(i) for every sample, or null (tournament mode without a relative reference). */
  r: Float64Array | null;
  /** Whether the mean of L is a KL divergence. */
  densities: boolean;
  /** Whether Pass@N applies (point-mass reference). */
  pointMass: boolean;
  nGrid: readonly number[];
}

/**
 * Metrics over the samples in `set`, which must hold no NaN score. Coverage and KL also leave
 * out the samples whose reference value is missing or −∞ (logRatios).
 */
export function checkpointMetrics(scores: CheckpointScores, set: Int32Array, o: MetricsOptions): CheckpointMetrics {
  const ce = crossEntropy(scores.seqLogprob, scores.tokenCounts, set);
  let kl: number | null = null;
  let coverage: CoveragePoint[] | null = null;
  if (o.r) {
    const L = logRatios(o.r, scores.seqLogprob, set);
    coverage = coverageProfile(L, o.nGrid);
    if (o.densities) kl = meanLogRatio(L);
  }
  const passAt = o.pointMass
    ? o.nGrid.map((N) => {
        const p = meanPassAtN(scores.seqLogprob, set, N);
        return { N, passAt: p, interval: wilsonFromShare(p, set.length) };
      })
    : null;
  return { samples: set.length, tokens: ce.tokens, ce, kl, coverage, passAt };
}
