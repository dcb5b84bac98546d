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

/**
 * Cov_N for every N of the grid (in grid order), from the log ratios. Each L is placed among the
 * thresholds ln N by a binary search over the grid (not by sorting the n ratios: this runs for
 * every checkpoint and length quartile at every report build), and the counts are the tail sums;
 * the comparison is `L ≥ ln N`, as in the definition.
 */
export function coverageProfile(L: Float64Array, nGrid: readonly number[]): CoveragePoint[] {
  const order = nGrid.map((N, k) => ({ t: Math.log(N), k })).sort((a, b) => a.t - b.t);
  const t = order.map((o) => o.t);
  const m = t.length;
  // below[b]: the ratios with exactly b thresholds at or under them.
  const below = new Float64Array(m + 1);
  for (let j = 0; j < L.length; j++) {
    const x = L[j];
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    below[lo]++;
  }
  const n = L.length;
  const counts = new Array<number>(m);
  let atLeast = 0;
  for (let p = m - 1; p >= 0; p--) {
    atLeast += below[p + 1];
    counts[order[p].k] = atLeast;
  }
  return nGrid.map((N, k) => {
    const count = counts[k];
    return { N, count, coverage: n > 0 ? count / n : Number.NaN, interval: wilsonInterval(count, n) };
  });
}
