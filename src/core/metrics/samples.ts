// Which samples a comparison uses. A NaN in a score array marks a sample that was skipped
// (for that checkpoint or reference); every number that compares checkpoints is computed over
// the samples that all of them scored, so that the columns of a report share one denominator.

/** Indices i (ascending) where every given array holds a non-NaN value. Null arrays are ignored. */
export function commonSamples(n: number, arrays: ReadonlyArray<ArrayLike<number> | null | undefined>): Int32Array {
  const keep = new Uint8Array(n).fill(1);
  for (const a of arrays) {
    if (!a) continue;
    if (a.length !== n) throw new RangeError(`commonSamples: an array has ${a.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) if (Number.isNaN(a[i])) keep[i] = 0;
  }
  let m = 0;
  for (let i = 0; i < n; i++) m += keep[i];
  const out = new Int32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = i;
  return out;
}

/**
 * The samples of `set` whose reference value r(i) is usable. A missing (NaN) or −∞ reference
 * leaves the sample out of coverage and KL (README, "Reference modes"): L would be −∞, or NaN
 * where s(i) = −∞ too. This is the one place that rule lives: in tournament mode r is the
 * suggested checkpoint's own scores, which resolveReference never sees and can be −∞.
 */
export function referencedSamples(r: ArrayLike<number>, set: Int32Array): Int32Array {
  let m = 0;
  for (let j = 0; j < set.length; j++) if (r[set[j]] > -Infinity) m++;
  if (m === set.length) return set;
  const out = new Int32Array(m);
  for (let j = 0, k = 0; j < set.length; j++) if (r[set[j]] > -Infinity) out[k++] = set[j];
  return out;
}

/** All indices 0..n-1. */
export function allSamples(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
