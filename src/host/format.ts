// Number formatting and exports shared by the tree, the status bar and Export Results.
// Pure: no vscode.
import type { CheckpointRow, RunSnapshot } from '../shared/protocol';
export { fmt } from '../shared/numberFormat';

/** Every checkpoint's figures, one row each; N columns follow the run's grid. */
export function figuresCsv(snap: RunSnapshot): string {
  const ns = gridKeys(snap);
  const head = ['step', 'path', 'state', 'train_tokens', 'samples', 'eval_tokens', 'ce_per_token_nats', 'ce_per_sequence_nats', 'kl', ...ns.flatMap((n) => [`cov_${n}`, `cov_${n}_lo`, `cov_${n}_hi`]), 'tournament_score', 'rival_step', 'suggested', 'lowest_ce', 'reason'];
  const lines = [head.join(',')];
  for (const r of snap.rows) {
    const cells: (string | number | null)[] = [r.step, r.path, r.state, r.trainTokens, r.samples, r.evalTokens, r.cePerToken, r.cePerSequence, r.kl === 'Infinity' ? 'Infinity' : r.kl];
    for (const n of ns) cells.push(r.coverage[n] ?? null, r.coverageInterval[n]?.[0] ?? null, r.coverageInterval[n]?.[1] ?? null);
    cells.push(r.tournamentScore, r.rivalStep, r.path === snap.suggested?.path ? 1 : 0, r.path === snap.minCrossEntropy?.path ? 1 : 0, r.reason ?? null);
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

export function figuresJson(snap: RunSnapshot): string {
  const { runName, runPath, reference, selectionN, nGrid, dev, suggested, minCrossEntropy, rows } = snap;
  const checkpoints = rows.map(({ state, ...r }: CheckpointRow) => ({ ...r, state }));
  return JSON.stringify({ run: runName, runPath, reference, selectionN, nGrid, dev, suggested, minCrossEntropy, checkpoints }, null, 2) + '\n';
}

function gridKeys(snap: RunSnapshot): string[] {
  const keys = new Set<string>(snap.nGrid.map(String));
  for (const r of snap.rows) for (const k of Object.keys(r.coverage)) keys.add(k);
  return [...keys].sort((a, b) => Number(a) - Number(b));
}

/** RFC 4180 quoting; a leading =, +, - or @ is quoted too so spreadsheets do not run it as a formula. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
