// Number formatting and exports shared by the tree, the status bar and Export Results.
// Pure: no vscode.
import { formatReportCsv } from '../core/report';
import type { CheckpointRow, RunSnapshot } from '../shared/protocol';
export { fmt } from '../shared/numberFormat';

/** Every checkpoint's figures, one row each (queued and failed ones too); N columns follow the run's grid. */
export function figuresCsv(snap: RunSnapshot): string {
  const checkpoints = snap.rows.map(({ evalTokens, ...r }) => ({ ...r, tokens: evalTokens }));
  return formatReportCsv({ nGrid: gridKeys(snap), referenceLabel: snap.reference, suggested: snap.suggested, minCrossEntropy: snap.minCrossEntropy, checkpoints }, { session: true });
}

export function figuresJson(snap: RunSnapshot): string {
  const { runName, runPath, reference, selectionN, nGrid, dev, suggested, minCrossEntropy, rows } = snap;
  const checkpoints = rows.map(({ state, ...r }: CheckpointRow) => ({ ...r, state }));
  return JSON.stringify({ run: runName, runPath, reference, selectionN, nGrid, dev, suggested, minCrossEntropy, checkpoints }, null, 2) + '\n';
}

/** The grid, plus any N a row still carries from an earlier report. */
function gridKeys(snap: RunSnapshot): number[] {
  const keys = new Set<number>(snap.nGrid);
  for (const r of snap.rows) for (const k of Object.keys(r.coverage)) keys.add(Number(k));
  return [...keys].sort((a, b) => a - b);
}
