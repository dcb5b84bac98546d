// Which checkpoint the worker scores next. Pure: the job runner owns the side effects.
// Order: the one the user clicked (latest click first), then checkpoints that arrived while
// the run was open (newest first, since that is what a user watching training waits for),
// then the rest coarse-to-fine over steps so the curves span the whole run early.

export type QueueReason = 'initial' | 'arrived' | 'clicked';

export interface QueuedItem {
  path: string;
  step: number;
  reason: QueueReason;
  /** Insertion/promotion counter: later means more recent. */
  seq: number;
  /** Position in the coarse-to-fine order of the batch it was queued with ('initial' only). */
  rank: number;
}

/** How urgent each reason is, most urgent first (the order across runs uses it too: scoringTurns.ts). */
export const QUEUE_URGENCY: Readonly<Record<QueueReason, number>> = { clicked: 0, arrived: 1, initial: 2 };

/**
 * Level order of a bisection over n sorted items: first, last, middle, quarters, …
 * Returns rank[i] = position of item i in that order.
 */
export function coarseToFineRanks(n: number): number[] {
  const rank = new Array<number>(n).fill(-1);
  let next = 0;
  const put = (i: number) => {
    if (rank[i] === -1) rank[i] = next++;
  };
  if (n === 0) return rank;
  put(0);
  put(n - 1);
  const intervals: [number, number][] = [[0, n - 1]];
  for (let head = 0; head < intervals.length; head++) {
    const [lo, hi] = intervals[head];
    if (hi - lo < 2) continue;
    const mid = (lo + hi) >> 1;
    put(mid);
    intervals.push([lo, mid], [mid, hi]);
  }
  return rank;
}

export function orderQueue(items: readonly QueuedItem[]): QueuedItem[] {
  return [...items].sort((a, b) => {
    const r = QUEUE_URGENCY[a.reason] - QUEUE_URGENCY[b.reason];
    if (r !== 0) return r;
    if (a.reason === 'initial') return a.rank - b.rank || a.seq - b.seq;
    return b.seq - a.seq;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The set of checkpoints waiting for the worker; at most one entry per path. */
export class ScoreQueue {
  private readonly items = new Map<string, QueuedItem>();
  private seq = 0;

  get size(): number {
    return this.items.size;
  }

  has(path: string): boolean {
    return this.items.has(path);
  }

  /** Adds or re-adds; a path already queued keeps the more urgent of its two reasons. */
  add(path: string, step: number, reason: QueueReason, rank = 0): void {
    const old = this.items.get(path);
    const keep = old && QUEUE_URGENCY[old.reason] < QUEUE_URGENCY[reason] ? old.reason : reason;
    this.items.set(path, { path, step, reason: keep, seq: ++this.seq, rank: old && keep === old.reason ? old.rank : rank });
  }

  /**
   * Queues a whole run (opened, or rescored) as one batch. Ranks are fixed now, over the
   * batch, so taking the first item does not reshuffle the others.
   */
  addInitial(entries: readonly { path: string; step: number }[]): void {
    const sorted = [...entries].sort((a, b) => a.step - b.step || cmp(a.path, b.path));
    const ranks = coarseToFineRanks(sorted.length);
    sorted.forEach((e, i) => this.add(e.path, e.step, 'initial', ranks[i]));
  }

  /** Moves a queued checkpoint to the front (the user clicked it). False when not queued. */
  promote(path: string): boolean {
    const old = this.items.get(path);
    if (!old) return false;
    this.items.set(path, { ...old, reason: 'clicked', seq: ++this.seq });
    return true;
  }

  /** Puts a taken item back as it was (its reason, rank and place), unless its path was queued again since. */
  putBack(item: QueuedItem): void {
    if (!this.items.has(item.path)) this.items.set(item.path, item);
  }

  remove(path: string): boolean {
    return this.items.delete(path);
  }

  clear(): void {
    this.items.clear();
  }

  ordered(): QueuedItem[] {
    return orderQueue([...this.items.values()]);
  }

  /** The next checkpoint to score (that `eligible` accepts), left in the queue. */
  peek(eligible: (item: QueuedItem) => boolean = () => true): QueuedItem | undefined {
    return this.ordered().find(eligible);
  }

  /** Removes and returns the next checkpoint to score: the first item in order (that `eligible` accepts; the others stay queued). */
  take(eligible: (item: QueuedItem) => boolean = () => true): QueuedItem | undefined {
    const first = this.peek(eligible);
    if (first) this.items.delete(first.path);
    return first;
  }
}
