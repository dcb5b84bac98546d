// 95% Wilson score interval for a proportion. Chosen over the normal (Wald) interval because
// coverage near 0 is the interesting regime, where Wald collapses to [0, 0].

/** Two-sided 95% standard normal quantile. */
export const Z95 = 1.959963984540054;

/**
 * Wilson interval for an observed share `p` (successes / n, or a mean of values in [0, 1]).
 * With A = p + z²/2n and B = z·√(p(1−p)/n + z²/4n²) the bounds are (A ∓ B)/(1 + z²/n). The
 * lower one is computed as p²/(A + B), the same value since A² − B² = p²(1 + z²/n): no
 * subtraction, so small shares keep their digits and p = 0 gives exactly 0 (A − B left a
 * rounding residue such as 5.4e-20 for some n). The upper one has no cancellation; at p = 1 it is
 * exactly 1.
 */
export function wilsonFromShare(p: number, n: number, z: number = Z95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z2n = (z * z) / n;
  const denom = 1 + z2n;
  const root = Math.sqrt(Math.max(0, p * (1 - p)) / n + (z * z) / (4 * n * n));
  const lo = p > 0 ? (p * p) / (p + z2n / 2 + z * root) : 0;
  const hi = p < 1 ? (p + z2n / 2) / denom + (z / denom) * root : 1;
  return [Math.max(0, lo), Math.min(1, hi)];
}

/** Wilson interval for `successes` out of `n`. */
export function wilsonInterval(successes: number, n: number, z: number = Z95): [number, number] {
  if (!(n > 0)) return [0, 1];
  if (successes < 0 || successes > n) throw new RangeError(`wilsonInterval: ${successes} successes out of ${n}`);
  return wilsonFromShare(successes / n, n, z);
}

/**
 * Expected count of samples at the 1/N level below which Cov_N (and the tournament at
 * threshold N) cannot tell a share of about 1/N from 0.
 */
export const MIN_EXPECTED_AT_LEVEL = 10;

/** A warning when n samples are too few to resolve shares of about 1/N, else null. */
export function smallSampleWarning(n: number, N: number): string | null {
  if (n / N >= MIN_EXPECTED_AT_LEVEL) return null;
  return (
    `n = ${n} samples is too small for N = ${N}: a share of 1/N is about ${(n / N).toFixed(1)} samples ` +
    `(want ≥ ${MIN_EXPECTED_AT_LEVEL}, i.e. n ≥ ${Math.ceil(MIN_EXPECTED_AT_LEVEL * N)})`
  );
}
