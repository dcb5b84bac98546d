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

/** All indices 0..n-1. */
export function allSamples(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
