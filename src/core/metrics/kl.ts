// KL(π_ref ‖ π_k) = (1/n) Σ L(i): cross-entropy's excess over the reference's entropy.
// It is the mean of L; coverage is its tail, so the two can rank checkpoints differently.

/**
 * KL(π_ref ‖ π_k) estimated as the mean of L. +∞ when any L is +∞ (a sample the checkpoint
 * gives probability 0); never NaN for inputs from logRatios, which leaves out samples whose
 * reference is missing or −∞.
 */
export function meanLogRatio(L: Float64Array): number {
  if (L.length === 0) return Number.NaN;
  let sum = 0;
  for (let j = 0; j < L.length; j++) {
    if (L[j] === Infinity) return Infinity;
    sum += L[j];
  }
  return sum / L.length;
}
