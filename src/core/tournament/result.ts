// Ranking a coverage tournament from its pair counts (matrix.ts keeps them up to date): each
// checkpoint's score and strongest rival, the suggestion, the lowest-CE checkpoint, and whether this
// eval set resolves the choice (docs/metrics.md, "Choosing a checkpoint").

export interface TournamentEntry {
  /** Identity (the checkpoint's run-relative path). */
  id: string;
  step: number;
  /** s_k(i) for every eval sample; NaN = skipped. Kept by reference, not copied. */
  seqLogprob: Float64Array;
  tokenCounts: ArrayLike<number>;
}

export interface TournamentStanding {
  id: string;
  step: number;
  /** max over rivals of A[rival, k]; 0 when there is no rival (a single checkpoint). */
  score: number;
  /**
   * The rival attaining the max; on ties the earlier step, then the smaller id (not the order of
   * adding, which in the extension is the scoring order); null when there is none.
   */
  rival: string | null;
  /** Per-token cross-entropy over the tournament's samples (the tie-break). */
  cePerToken: number;
}

export interface TournamentResult {
  selectionN: number;
  delta: number;
  /** Samples scored by every checkpoint (the denominator of every A). */
  samples: number;
  /** sqrt(ln(2K²/δ)/(2n)): each A is within dev of its expectation w.p. 1 − δ. */
  dev: number;
  standings: TournamentStanding[];
  suggested: string | null;
  minCrossEntropy: string | null;
  /** Whether suggested and minCrossEntropy are different checkpoints. */
  differs: boolean;
  /** False when the two best scores differ by less than 2·dev. True with fewer than two checkpoints. */
  resolved: boolean;
  /** The second-best checkpoint, when there is one. */
  runnerUp: string | null;
}

export const DEFAULT_DELTA = 0.05;

export function tournamentDev(K: number, n: number, delta: number = DEFAULT_DELTA): number {
  return n > 0 && K > 0 ? Math.sqrt(Math.log((2 * K * K) / delta) / (2 * n)) : Number.NaN;
}

/** What rankTournament reads of a tournament: its checkpoints, their CE, and A's counts. */
export interface TournamentCounts {
  entries: readonly TournamentEntry[];
  /** Per-token cross-entropy of each entry over the tournament's samples. */
  ce: readonly number[];
  samples: number;
  selectionN: number;
  delta: number;
  /** #{i : s_j(i) − s_k(i) ≥ ln N} for entries j ≠ k. */
  count: (j: number, k: number) => number;
}

export function rankTournament(t: TournamentCounts): TournamentResult {
  const { entries, ce } = t;
  const K = entries.length;
  const n = t.samples;
  /** Earlier step first, then path order, so that equal scores always pick the same one. */
  const tieBreak = (a: number, b: number): number => {
    const ea = entries[a];
    const eb = entries[b];
    return ea.step - eb.step || (ea.id < eb.id ? -1 : ea.id > eb.id ? 1 : 0);
  };
  const standings: TournamentStanding[] = [];
  const best: number[] = [];
  for (let k = 0; k < K; k++) {
    let max = 0;
    let rival = -1;
    for (let j = 0; j < K; j++) {
      if (j === k) continue;
      const c = t.count(j, k);
      if (rival < 0 || c > max || (c === max && tieBreak(j, rival) < 0)) {
        max = c;
        rival = j;
      }
    }
    best.push(max);
    const e = entries[k];
    standings.push({
      id: e.id,
      step: e.step,
      score: n > 0 ? max / n : Number.NaN,
      rival: rival >= 0 ? entries[rival].id : null,
      cePerToken: ce[k],
    });
  }
  const byScore = [...standings.keys()].sort((a, b) => best[a] - best[b] || cmpCe(ce[a], ce[b]) || tieBreak(a, b));
  const byCe = [...standings.keys()].sort((a, b) => cmpCe(ce[a], ce[b]) || tieBreak(a, b));
  const usable = K > 0 && n > 0;
  const suggested = usable ? entries[byScore[0]].id : null;
  const minCrossEntropy = usable ? entries[byCe[0]].id : null;
  const dev = tournamentDev(K, n, t.delta);
  const resolved = usable && (K < 2 || (best[byScore[1]] - best[byScore[0]]) / n >= 2 * dev);
  return {
    selectionN: t.selectionN,
    delta: t.delta,
    samples: n,
    dev,
    standings,
    suggested,
    minCrossEntropy,
    differs: suggested !== minCrossEntropy,
    resolved,
    runnerUp: usable && K >= 2 ? entries[byScore[1]].id : null,
  };
}

/** Lower CE first; NaN (no tokens) last. */
function cmpCe(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
