// One checkpoint's per-sample log-ratios L(i) = r(i) − s(i) as the inspect view shows them:
// their distribution and the samples it covers worst. Pure; the numbers come from the same
// helpers as the report's coverage (commonSamples, referencedSamples, logRatios), so a sample
// left out there is left out here too.
import { commonSamples, logRatios, referencedSamples } from './metrics';

export interface SampleLogRatio {
  /** 0-based sample index in the eval set. */
  i: number;
  /** L(i) in nats; +∞ when the checkpoint gave the response probability 0. */
  l: number;
}

/**
 * L(i) for every sample that s scored and that has a usable reference value, in sample order:
 * a NaN in either marks a skipped sample, and a −∞ reference (tournament mode, where r is a
 * checkpoint's own s) leaves the sample out by the metrics' rule (logRatios).
 */
export function sampleLogRatios(r: Float64Array, s: Float64Array): SampleLogRatio[] {
  const set = referencedSamples(r, commonSamples(s.length, [r, s]));
  const L = logRatios(r, s, set);
  return Array.from(set, (i, j) => ({ i, l: L[j] }));
}

/** The k samples with the largest L (worst covered first); ties go to the earlier sample. */
export function worstCovered(ratios: readonly SampleLogRatio[], k: number): SampleLogRatio[] {
  return [...ratios].sort((a, b) => b.l - a.l || a.i - b.i).slice(0, k);
}

/** Equal-width bins over [min, max] of finite values; a single value gets one bin around it. */
export function histogram(values: readonly number[], bins: number): { edges: number[]; counts: number[] } {
  if (values.length === 0) return { edges: [], counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // One distinct value, or a spread so small that a bin's width rounds to 0 (values apart by a
  // few subnormals): a unit-wide range around it keeps every bin index finite.
  if (!((hi - lo) / bins > 0)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const w = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  // The maximum lands exactly on the last edge: it belongs to the last bin.
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, k) => lo + k * w), counts };
}
