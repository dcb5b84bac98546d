// Each checkpoint's figures (metrics over the common samples, the same by length quartile) kept
// from one report build to the next. The extension rebuilds its report every second or so while
// scores stream in; without this each build recomputed every checkpoint's coverage profile (five
// times over: all samples and each length quartile), though only the new checkpoints' had changed.
//
// A checkpoint's figures depend on its own scores and on what every row shares: the reference r,
// the common sample set, the length quartiles, the N grid and the reference's kind. The shared
// part is compared by content at each build (O(n), against O(K·n log n) to recompute); when any
// of it differs — a tournament-mode report whose suggested checkpoint moved, a checkpoint that
// skipped a sample, a new N grid — every row is recomputed. A checkpoint's own scores are
// compared by identity: a checkpoint scored again has a new scores object.
import type { CheckpointScores } from '../types';
import { byLengthMetrics, checkpointMetrics, type CheckpointMetrics, type LengthQuartileMetrics } from '../metrics';

/** What every row's figures depend on, besides the checkpoint's own scores. */
export interface SharedInputs {
  r: Float64Array | null;
  set: Int32Array;
  quartiles: readonly Int32Array[];
  nGrid: readonly number[];
  densities: boolean;
  pointMass: boolean;
}

export interface CheckpointFigures {
  metrics: CheckpointMetrics;
  byLength: LengthQuartileMetrics[];
}

export class FiguresCache {
  private shared: SharedInputs | null = null;
  private rows = new Map<string, { scores: CheckpointScores; figures: CheckpointFigures }>();
  /** Rows computed (not reused) over this cache's life: tests read it. */
  computed = 0;

  /**
   * The figures of checkpoint `path` under `shared`: the kept ones when neither `shared` nor its
   * scores changed since they were computed, else computed now. Checkpoints not asked for in a
   * build are forgotten at the next `prune`.
   */
  figures(path: string, scores: CheckpointScores, shared: SharedInputs): CheckpointFigures {
    if (this.shared !== shared) {
      if (!this.shared || !sameShared(this.shared, shared)) this.rows.clear();
      this.shared = shared;
    }
    const kept = this.rows.get(path);
    if (kept && kept.scores === scores) return kept.figures;
    const figures: CheckpointFigures = {
      metrics: checkpointMetrics(scores, shared.set, shared),
      byLength: byLengthMetrics(scores, shared.quartiles, shared.r, shared.nGrid),
    };
    this.computed++;
    this.rows.set(path, { scores, figures });
    return figures;
  }

  /** Forgets the checkpoints that are not in `paths` (they left the run). */
  prune(paths: ReadonlySet<string>): void {
    for (const p of this.rows.keys()) if (!paths.has(p)) this.rows.delete(p);
  }
}

function sameShared(a: SharedInputs, b: SharedInputs): boolean {
  return (
    a.densities === b.densities &&
    a.pointMass === b.pointMass &&
    sameValues(a.nGrid, b.nGrid) &&
    sameValues(a.set, b.set) &&
    a.quartiles.length === b.quartiles.length &&
    a.quartiles.every((q, i) => sameValues(q, b.quartiles[i])) &&
    (a.r === null || b.r === null ? a.r === b.r : sameValues(a.r, b.r))
  );
}

/** Same length and the same values in order (NaN equals NaN: a missing reference value stays missing). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
