// Number formatting and exports shared by the tree, the status bar and Export Results.
// One run exports as it always has; several runs export as `report <run> <run> …` prints them:
// a run column, and the comparison's columns. Pure: no vscode.
import { formatReportCsv, formatRunsCsv, type AcrossCsvSource, type CsvSource } from '../core/report';
import type { CheckpointRow, PanelRun, PanelSnapshot, RunSnapshot } from '../shared/protocol';
export { fmt } from '../shared/numberFormat';

/** Every checkpoint's figures, one row each (queued and failed ones too); N columns follow the run's grid. */
export function figuresCsv(panel: PanelSnapshot): string {
  if (panel.runs.length === 1) return formatReportCsv(csvSource(panel.runs[0]), { session: true });
  return formatRunsCsv(
    panel.runs.map((r) => ({ run: r.label, report: csvSource(r) })),
    acrossByLabel(panel),
    { session: true },
  );
}

/** One run: its figures as before. Several: `{ runs: [each run's], across, acrossError }`, runs named by their labels. */
export function figuresJson(panel: PanelSnapshot): string {
  if (panel.runs.length === 1) return JSON.stringify(runJson(panel.runs[0]), null, 2) + '\n';
  const out = {
    runs: panel.runs.map((r) => ({ label: r.label, ...runJson(r) })),
    across: acrossByLabel(panel),
    acrossError: panel.acrossError,
  };
  return JSON.stringify(out, null, 2) + '\n';
}

function runJson(snap: RunSnapshot) {
  const { runName, runPath, reference, selectionN, nGrid, dev, suggested, minCrossEntropy, rows } = snap;
  const checkpoints = rows.map(({ state, ...r }: CheckpointRow) => ({ ...r, state }));
  return { run: runName, runPath, reference, selectionN, nGrid, dev, suggested, minCrossEntropy, checkpoints };
}

function csvSource(snap: RunSnapshot): CsvSource {
  const checkpoints = snap.rows.map(({ evalTokens, ...r }) => ({ ...r, tokens: evalTokens }));
  return {
    nGrid: gridKeys(snap),
    referenceLabel: snap.reference,
    suggested: snap.suggested,
    minCrossEntropy: snap.minCrossEntropy,
    checkpoints,
  };
}

/** The comparison with runs named by label, as the `run` column names them; null without one. */
function acrossByLabel(
  panel: PanelSnapshot,
): (AcrossCsvSource & Omit<NonNullable<PanelSnapshot['across']>, 'checkpoints' | 'suggested' | 'minCrossEntropy'>) | null {
  const a = panel.across;
  if (!a) return null;
  const label = new Map(panel.runs.map((r: PanelRun) => [r.runPath, r.label]));
  const name = (run: string) => label.get(run) ?? run;
  const ref = <T extends { run: string }>(x: T | null) => (x ? { ...x, run: name(x.run) } : null);
  return {
    ...a,
    suggested: ref(a.suggested),
    minCrossEntropy: ref(a.minCrossEntropy),
    checkpoints: a.checkpoints.map((c) => ({ ...c, run: name(c.run), rivalRun: c.rivalRun === null ? null : name(c.rivalRun) })),
  };
}

/** The grid, plus any N a row still carries from an earlier report. */
function gridKeys(snap: RunSnapshot): number[] {
  const keys = new Set<number>(snap.nGrid);
  for (const r of snap.rows) for (const k of Object.keys(r.coverage)) keys.add(Number(k));
  return [...keys].sort((a, b) => a - b);
}
