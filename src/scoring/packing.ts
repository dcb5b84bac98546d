// Packing samples into rows for graphs that take per-token positions and segment ids (the
// Hugging Face decoder): each row holds several samples end to end, so a batch of ragged
// lengths carries almost no padding. Pure, tested alone.
//
// A sample feeds prompt + response − 1 tokens: the last response token is only a label,
// nothing is predicted from it. Rows are filled first-fit from the longest sample down, to
// a capacity of the longest sample (at least MIN_ROW tokens, so short samples share a row);
// attention within a row costs its length squared, so a longer capacity would trade
// padding for attention over samples that cannot see each other.

export const MIN_ROW = 128;

export interface Placement {
  /** Sample position (into the lengths given). */
  sample: number;
  row: number;
  /** Where the sample's first token sits in its row. */
  offset: number;
}

export interface PackedBatch {
  rows: number;
  /** Tokens per row: the fullest row's fill. */
  rowLength: number;
  /** In output order: a sample's scored tokens follow the previous sample's. */
  placements: Placement[];
}

/** Tokens a sample feeds: everything but the last response token. */
export const fedLength = (promptLen: number, responseLen: number): number => promptLen + responseLen - 1;

/**
 * Rows of at most max(longest, MIN_ROW) tokens, then batches of rows whose padded size
 * (rows × the fullest row) stays within `budget`; a row longer than the budget is a batch of
 * its own. `fed` gives each sample's fed length (≥ 1).
 */
export function packBatches(fed: ArrayLike<number>, budget: number): PackedBatch[] {
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`token budget must be a positive integer, got ${budget}`);
  const order = Array.from({ length: fed.length }, (_, i) => i).sort((a, b) => fed[b] - fed[a] || a - b);
  if (order.length === 0) return [];
  const capacity = Math.max(fed[order[0]], Math.min(MIN_ROW, budget));
  const rows: { fill: number; members: number[] }[] = [];
  // Rows with less room than the shortest sample are never looked at again.
  const shortest = fed[order[order.length - 1]];
  let firstOpen = 0;
  for (const i of order) {
    let row = rows.length;
    for (let r = firstOpen; r < rows.length; r++) {
      if (rows[r].fill + fed[i] <= capacity) {
        row = r;
        break;
      }
    }
    if (row === rows.length) rows.push({ fill: 0, members: [] });
    rows[row].members.push(i);
    rows[row].fill += fed[i];
    while (firstOpen < rows.length && capacity - rows[firstOpen].fill < shortest) firstOpen++;
  }
  // Rows sorted fullest first (stable), grouped while the padded size stays within the budget.
  const sorted = rows.map((r, k) => ({ ...r, k })).sort((a, b) => b.fill - a.fill || a.k - b.k);
  const batches: PackedBatch[] = [];
  let cur: PackedBatch | undefined;
  for (const r of sorted) {
    if (!cur || (cur.rows + 1) * cur.rowLength > budget) {
      cur = { rows: 0, rowLength: r.fill, placements: [] };
      batches.push(cur);
    }
    let offset = 0;
    for (const sample of r.members) {
      cur.placements.push({ sample, row: cur.rows, offset });
      offset += fed[sample];
    }
    cur.rows++;
  }
  return batches;
}
