// Pass@N under the point-mass reference: sample i passes when one of N draws equals y_i, so
// Pass@N(i) = 1 − (1 − p)^N with p = π_k(y_i | x_i) = e^{s(i)}.

/** ln(1 − e^x) for x ≤ 0, accurate both for x near 0 and for very negative x. */
export function log1mexp(x: number): number {
  if (x > 0 || Number.isNaN(x)) return Number.NaN;
  // The switch point −ln 2 is where the two forms lose accuracy equally (Mächler's note).
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** 1 − (1 − e^{logp})^N, computed as −expm1(N·ln(1 − p)) so that tiny p keeps its digits. */
export function passAtN(logp: number, N: number): number {
  if (logp === -Infinity) return 0;
  return -Math.expm1(N * log1mexp(logp));
}

/** Mean Pass@N over the samples in `set`. */
export function meanPassAtN(seqLogprob: Float64Array, set: Int32Array, N: number): number {
  if (set.length === 0) return Number.NaN;
  let sum = 0;
  for (let j = 0; j < set.length; j++) sum += passAtN(seqLogprob[set[j]], N);
  return sum / set.length;
}
