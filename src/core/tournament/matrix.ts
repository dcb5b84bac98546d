// The coverage tournament's pair counts (docs/metrics.md, "Choosing a checkpoint"):
//   A[j,k] = (1/n)·#{i : s_j(i) − s_k(i) ≥ ln N},  score_k = max_{j≠k} A[j,k],  suggested = argmin score.
// The class keeps integer counts so that a new checkpoint costs one row and one column, O(K·n).
// Samples any checkpoint skipped (NaN) are left out for all of them: when a new checkpoint skips
// samples the others scored, their contributions are subtracted pair by pair instead of rebuilding.
import { DEFAULT_SELECTION_N } from '../defaults';
import { crossEntropy } from '../metrics/crossEntropy';
import { commonSamples } from '../metrics/samples';
import { pairCounter } from '../pairKernel';
import { DEFAULT_DELTA, rankTournament, type TournamentEntry, type TournamentResult } from './result';

export class CoverageTournament {
  readonly threshold: number;
  private entries: TournamentEntry[] = [];
  /** Rows over the active samples only (the entries' own arrays when nothing is excluded). */
  private rows: Float64Array[] = [];
  private ce: number[] = [];
  /** counts[j*cap + k] = #{active i : s_j(i) − s_k(i) ≥ ln N}. */
  private counts = new Int32Array(0);
  private cap = 0;
  private active: Int32Array;

  constructor(
    readonly n: number,
    readonly selectionN: number = DEFAULT_SELECTION_N,
    readonly delta: number = DEFAULT_DELTA,
  ) {
    if (!(selectionN > 1) || !Number.isFinite(selectionN)) throw new RangeError(`selectionN must be a number > 1, got ${selectionN}`);
    if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
    this.threshold = Math.log(selectionN);
    this.active = new Int32Array(n);
    for (let i = 0; i < n; i++) this.active[i] = i;
  }

  /** A tournament over all entries at once (every pair counted by pairKernel.ts). */
  static build(n: number, entries: readonly TournamentEntry[], selectionN?: number, delta?: number): CoverageTournament {
    const t = new CoverageTournament(n, selectionN, delta);
    const seen = new Set<string>();
    for (const e of entries) {
      t.check(e);
      if (seen.has(e.id)) throw new Error(`tournament: checkpoint ${e.id} is given twice`);
      seen.add(e.id);
    }
    t.entries = [...entries];
    t.active = activeSamples(n, t.entries);
    t.grow(entries.length);
    t.compact();
    pairCounter()(t.rows, t.active.length, t.threshold, t.counts, t.cap);
    return t;
  }

  get size(): number {
    return this.entries.length;
  }

  get samples(): number {
    return this.active.length;
  }

  ids(): string[] {
    return this.entries.map((e) => e.id);
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  /** #{i : s_j(i) − s_k(i) ≥ ln N} over the active samples. */
  count(j: string, k: string): number {
    const a = this.need(j);
    const b = this.need(k);
    return a === b ? 0 : this.counts[a * this.cap + b];
  }

  /** A[j,k]. */
  share(j: string, k: string): number {
    return this.count(j, k) / this.active.length;
  }

  /** Adds a checkpoint: one row and one column (plus, if it skipped samples, their removal). */
  add(e: TournamentEntry): void {
    this.check(e);
    if (this.has(e.id)) throw new Error(`tournament: checkpoint ${e.id} is already in`);
    const dropped: number[] = [];
    for (const i of this.active) if (Number.isNaN(e.seqLogprob[i])) dropped.push(i);
    if (dropped.length > 0) {
      if (dropped.length * 4 > this.active.length) {
        CoverageTournament.rebuildInto(this, [...this.entries, e]);
        return;
      }
      this.adjust(dropped, -1);
      const gone = new Set(dropped);
      this.active = this.active.filter((i) => !gone.has(i));
      this.entries.push(e);
      this.compact();
    } else {
      this.entries.push(e);
      this.rows.push(this.compactRow(e));
      this.ce.push(this.cePerToken(e));
    }
    this.grow(this.entries.length);
    const k = this.entries.length - 1;
    const rk = this.rows[k];
    for (let j = 0; j < k; j++) {
      const [a, b] = pairCounts(this.rows[j], rk, this.active.length, this.threshold);
      this.counts[j * this.cap + k] = a;
      this.counts[k * this.cap + j] = b;
    }
  }

  /** Removes a checkpoint; samples only it had skipped come back. Returns false if absent. */
  remove(id: string): boolean {
    const k = this.indexOf(id);
    if (k < 0) return false;
    const K = this.entries.length;
    const cap = this.cap;
    // Close the gap in the matrix: row/column k goes, later ones move up/left.
    for (let a = 0, a2 = 0; a < K; a++) {
      if (a === k) continue;
      for (let b = 0, b2 = 0; b < K; b++) {
        if (b === k) continue;
        this.counts[a2 * cap + b2] = this.counts[a * cap + b];
        b2++;
      }
      this.counts[a2 * cap + (K - 1)] = 0;
      a2++;
    }
    for (let b = 0; b < K; b++) this.counts[(K - 1) * cap + b] = 0;
    this.entries.splice(k, 1);
    this.rows.splice(k, 1);
    this.ce.splice(k, 1);
    const next = activeSamples(this.n, this.entries);
    if (next.length !== this.active.length) {
      const had = new Set(this.active);
      const back = [...next].filter((i) => !had.has(i));
      this.active = next;
      this.compact();
      this.adjust(back, +1);
    }
    return true;
  }

  /** Replaces a checkpoint's scores (e.g. after re-scoring), or adds it. */
  replace(e: TournamentEntry): void {
    this.remove(e.id);
    this.add(e);
  }

  /**
   * Makes the tournament hold exactly `entries`, at the cost of what changed: ids no longer given
   * leave, ids whose scores are another array (the checkpoint was replaced and scored again) are
   * replaced, new ids join. Scores are kept by reference, so an unchanged array means unchanged scores.
   */
  sync(entries: readonly TournamentEntry[]): void {
    const steps = this.syncSteps(entries);
    while (!steps.next().done);
  }

  /**
   * sync() a checkpoint at a time: the removals first, then it pauses after each checkpoint it
   * adds (each is compared with every other one, K·n), so that a caller on an event loop can let
   * other work run between them. Between two steps the tournament is a consistent one over the
   * checkpoints it holds so far.
   */
  *syncSteps(entries: readonly TournamentEntry[]): Generator<void, void, void> {
    const want = new Map(entries.map((e) => [e.id, e]));
    if (want.size !== entries.length) throw new Error('tournament: a checkpoint is given twice');
    for (const e of [...this.entries]) {
      const w = want.get(e.id);
      if (!w || w.seqLogprob !== e.seqLogprob || w.tokenCounts !== e.tokenCounts) this.remove(e.id);
    }
    for (const e of entries) {
      if (this.has(e.id)) continue;
      this.add(e);
      yield;
    }
  }

  result(): TournamentResult {
    return rankTournament({
      entries: this.entries,
      ce: this.ce,
      samples: this.active.length,
      selectionN: this.selectionN,
      delta: this.delta,
      count: (j, k) => this.counts[j * this.cap + k],
    });
  }

  private static rebuildInto(t: CoverageTournament, entries: TournamentEntry[]): void {
    const fresh = CoverageTournament.build(t.n, entries, t.selectionN, t.delta);
    t.entries = fresh.entries;
    t.rows = fresh.rows;
    t.ce = fresh.ce;
    t.counts = fresh.counts;
    t.cap = fresh.cap;
    t.active = fresh.active;
  }

  private check(e: TournamentEntry): void {
    if (e.seqLogprob.length !== this.n || e.tokenCounts.length !== this.n) {
      throw new RangeError(`tournament: checkpoint ${e.id} has ${e.seqLogprob.length} scores, expected ${this.n}`);
    }
  }

  private indexOf(id: string): number {
    return this.entries.findIndex((e) => e.id === id);
  }

  private need(id: string): number {
    const k = this.indexOf(id);
    if (k < 0) throw new Error(`tournament: no checkpoint ${id}`);
    return k;
  }

  private grow(K: number): void {
    if (K <= this.cap) return;
    const cap = Math.max(K, this.cap * 2, 8);
    const next = new Int32Array(cap * cap);
    for (let a = 0; a < this.cap; a++) next.set(this.counts.subarray(a * this.cap, (a + 1) * this.cap), a * cap);
    this.counts = next;
    this.cap = cap;
  }

  private compactRow(e: TournamentEntry): Float64Array {
    if (this.active.length === this.n) return e.seqLogprob;
    const row = new Float64Array(this.active.length);
    for (let j = 0; j < row.length; j++) row[j] = e.seqLogprob[this.active[j]];
    return row;
  }

  private cePerToken(e: TournamentEntry): number {
    return crossEntropy(e.seqLogprob, e.tokenCounts, this.active).perToken;
  }

  private compact(): void {
    this.rows = this.entries.map((e) => this.compactRow(e));
    this.ce = this.entries.map((e) => this.cePerToken(e));
  }

  /** Adds (sign +1) or subtracts (−1) the contributions of samples to every pair. O(K²) each. */
  private adjust(samples: readonly number[], sign: 1 | -1): void {
    const K = this.entries.length;
    const v = new Float64Array(K);
    for (const i of samples) {
      for (let a = 0; a < K; a++) v[a] = this.entries[a].seqLogprob[i];
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          if (a !== b && v[a] - v[b] >= this.threshold) this.counts[a * this.cap + b] += sign;
        }
      }
    }
  }
}

function activeSamples(n: number, entries: readonly TournamentEntry[]): Int32Array {
  return commonSamples(
    n,
    entries.map((e) => e.seqLogprob),
  );
}

/**
 * [#{d ≥ c}, #{d ≤ −c}] with d = x − y. c > 0 makes the two events disjoint. Both −∞ gives
 * d = NaN, which counts for neither: two checkpoints that both rule a sample out tie on it.
 */
function pairCounts(x: Float64Array, y: Float64Array, n: number, c: number): [number, number] {
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - y[i];
    a += +(d >= c);
    b += +(d <= -c);
  }
  return [a, b];
}
