// The `data-testid`s the end-to-end suite relies on: the contract between the webview and the tests.
// Change a value here and in webview/ together.
export const TESTID = {
  /** Root of the panel app (the host's HTML); `body[data-ready]` once the first snapshot rendered. */
  panel: 'app',
  /** The panel's heading; its `title` attribute is the open run's folder. */
  runTitle: 'run-title',
  /** The verdict line; `data-suggested-step`, `data-suggested-run` (the run's folder) and `data-min-ce-step` attributes. */
  verdict: 'verdict',
  /** Canvases of the curves over training (chart.js; `globalThis.Chart.getChart(canvas)` works).
   *  Dataset 0 is a curve with one point per checkpoint (with several runs, datasets 0…R−1 are the
   *  runs' CE curves, labelled by run); the markers come last. */
  chartCe: 'chart-ce',
  chartCoverage: 'chart-cov',
  /** One row per checkpoint in the figures table: `data-run` (the run's folder), `data-step`, `data-path`,
   *  `data-state` (queued | scoring | done | failed). */
  scoreRow: 'checkpoint-row',
  /** A column header of the figures table, `col-<key>` (`col-run` with several runs); a click sorts by it (`aria-sort`). */
  column: (key: string): string => `col-${key}`,
  /** With several runs: the dropdown that narrows the table to one run. */
  runFilter: 'run-filter',
  /** The runs shown: one chip per run (`data-run`, `data-colour`: its colour slot), its remove button, Add Run…. */
  runsBar: 'runs-bar',
  runChip: 'run-chip',
  runRemove: 'run-remove',
  addRun: 'add-run',
  /** The inspect view of one checkpoint; `data-run` and `data-path` of the inspected checkpoint. */
  inspect: 'inspect',
  /** Its line saying how the checkpoint is stored: `Model: onnx`, `Model: safetensors llama`. */
  inspectModel: 'inspect-model',
  inspectProfile: 'inspect-profile', // section with the profile chart below
  profileChart: 'chart-profile', // canvas: the coverage profile N -> Cov_N
  inspectTournament: 'inspect-tournament', // its tournament row
  inspectWorst: 'inspect-worst', // list of worst-covered samples
  worstSample: 'worst-sample', // one item of that list
  inspectByLength: 'inspect-bylength', // CE and Cov_N by response-length quartile
  byLengthRow: 'bylength-row', // one quartile: `data-quartile` 1…4
  /** The panel's export buttons (the host answers each with a save dialog; PNG: one per chart). */
  exportCsv: 'export-csv',
  exportJson: 'export-json',
  exportPng: 'export-png',
  /** The N checkboxes of the curves, `n-<N>`, inside this box (the chooser's "custom" list). */
  nChoice: 'n-choice',
  /** The box around the figures table (it scrolls sideways only when the table is wider than the panel). */
  table: 'table',
  /** Shown when something failed; its text says what. */
  errorBanner: 'error-banner',
} as const;

/** The tree view's title in the side bar and the command titles as the palette shows them. */
export const UI = {
  treeTitle: 'Checkpoints',
  /** A tree item's label starts with this (a RegExp, so step 300 does not match step 3000). */
  treeLabel: (step: number): RegExp => new RegExp(`^\\s*step ${step}(?!\\d)`),
  openRun: 'Checkpoint Coverage: Open Run…',
  addRun: 'Checkpoint Coverage: Add Run to Panel…',
  createDemoRun: 'Checkpoint Coverage: Create Demo Run…',
  exportResults: 'Checkpoint Coverage: Export Results…',
  /** createStatusBarItem's id (the workbench prefixes the extension's id). */
  statusBarId: 'checkpointCoverage.status',
} as const;

/** The CSS selector of the element(s) with this test id; `extra` narrows it (`:visible`, `[data-step="3"]`). */
export const byTestId = (id: string, extra = ''): string => `[data-testid="${id}"]${extra}`;
