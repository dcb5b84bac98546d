// Chooses which checkpoints a chart draws when a run has more than the chart can show.
// Min/max per bucket keeps every spike and dip visible (an average would hide the one bad
// checkpoint a user is looking for), and marked checkpoints (suggested, lowest CE,
// inspected) are always kept so their markers never vanish.

export interface DownsampleInput {
  /** Points in x order; each series is one value per point (null = not scored). */
  series: readonly (readonly (number | null)[])[];
  count: number;
  /** Indices that must be kept. */
  marked: ReadonlySet<number>;
  /** Target number of points; the result is at most maxPoints + marked.size. */
  maxPoints: number;
}

export function downsampleIndices({ series, count, marked, maxPoints }: DownsampleInput): number[] {
  if (count <= maxPoints) return Array.from({ length: count }, (_, i) => i);
  const keep = new Set<number>();
  for (const m of marked) if (m >= 0 && m < count) keep.add(m);
  keep.add(0);
  keep.add(count - 1);
  // Each bucket contributes up to 2 points per series (its min and its max).
  const perBucket = Math.max(2, 2 * Math.max(1, series.length));
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / perBucket));
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * count) / buckets);
    const hi = Math.floor(((b + 1) * count) / buckets);
    if (hi <= lo) continue;
    if (series.length === 0) {
      keep.add(lo);
      continue;
    }
    for (const s of series) {
      let min = -1;
      let max = -1;
      for (let i = lo; i < hi; i++) {
        const v = s[i];
        if (v === null || !Number.isFinite(v)) continue;
        if (min < 0 || v < s[min]!) min = i;
        if (max < 0 || v > s[max]!) max = i;
      }
      if (min >= 0) keep.add(min);
      if (max >= 0) keep.add(max);
      if (min < 0) keep.add(lo); // nothing scored in this bucket yet: keep its x position
    }
  }
  return [...keep].sort((a, b) => a - b);
}
