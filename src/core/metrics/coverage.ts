// The coverage profile Cov_N = (1/n)·#{i : L(i) ≥ ln N} with L(i) = r(i) − s(i) (docs/metrics.md, "The coverage profile Cov_N").
import { referencedSamples } from './samples';
import { wilsonInterval } from './wilson';

export { DEFAULT_N_GRID } from '../defaults';

export interface CoveragePoint {
  N: number;
  /** Samples with L ≥ ln N. */
  count: number;
  /** count / n: the share of samples under-weighted by a factor N or more. Lower is better. */
  coverage: number;
  /** 95% Wilson interval of `coverage`. */
  interval: [number, number];
}

/** Checks a user N grid: finite numbers ≥ 1. Returns a sorted, de-duplicated copy. */
export function validateNGrid(nGrid: readonly number[]): number[] {
  for (const N of nGrid) {
    if (typeof N !== 'number' || !Number.isFinite(N) || N < 1) {
      throw new RangeError(`N grid: every N must be a finite number ≥ 1, got ${String(N)}`);
    }
  }
  return [...new Set(nGrid)].sort((a, b) => a - b);
}

/**
 * L(i) = r(i) − s(i) over the samples of `set` that have a usable reference value
 * (referencedSamples), in their order. s(i) = −∞ gives L = +∞ (uncovered at every N); `set`
 * must hold no NaN s, so no NaN can arise here.
 */
export function logRatios(r: Float64Array, s: Float64Array, set: Int32Array): Float64Array {
  const kept = referencedSamples(r, set);
  const L = new Float64Array(kept.length);
  for (let j = 0; j < kept.length; j++) L[j] = r[kept[j]] - s[kept[j]];
  return L;
}

/** Cov_N for every N of the grid (in grid order), from the log ratios. */
export function coverageProfile(L: Float64Array, nGrid: readonly number[]): CoveragePoint[] {
  const sorted = Float64Array.from(L).sort();
  const n = sorted.length;
  return nGrid.map((N) => {
    const t = Math.log(N);
    // First index with sorted[idx] ≥ t.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] >= t) hi = mid;
      else lo = mid + 1;
    }
    const count = n - lo;
    return { N, count, coverage: n > 0 ? count / n : Number.NaN, interval: wilsonInterval(count, n) };
  });
}
