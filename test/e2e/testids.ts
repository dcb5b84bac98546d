// The `data-testid`s the end-to-end suite relies on: the contract between the webview and the tests.
// Change a value here and in webview/ together.
export const TESTID = {
  /** Root of the panel app; present once the webview script has run. */
  panel: 'panel',
  /** Scoring progress; `data-scored` and `data-total` attributes (numbers of checkpoints). */
  progress: 'progress',
  /** The verdict line; `data-step` = the suggested checkpoint's step. */
  verdict: 'verdict',
  /** Canvases of the curves over training (chart.js; `globalThis.Chart.getChart(canvas)` must work). */
  chartCe: 'chart-ce',
  chartCoverage: 'chart-coverage',
  /** One row per checkpoint in the figures table; `data-step` attribute. */
  scoreRow: 'score-row',
  /** The inspect view of one checkpoint; `data-step` attribute. */
  inspect: 'inspect',
  inspectProfile: 'inspect-profile',       // canvas: the coverage profile N -> Cov_N
  inspectTournament: 'inspect-tournament', // its tournament row
  inspectWorst: 'inspect-worst',           // list of worst-covered samples
  worstSample: 'worst-sample',             // one item of that list
  /** Shown when something failed; its text says what. */
  errorBanner: 'error-banner',
} as const;

/** The tree view's title in the side bar and the command titles as the palette shows them. */
export const UI = {
  treeTitle: 'Checkpoints',
  openRun: 'Checkpoint Coverage: Open Run…',
  reloadWindow: 'Developer: Reload Window',
} as const;
