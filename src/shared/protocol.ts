// Every message between the extension host and the panel's webview. The webview pulls its
// start-up data (`getSnapshotRequest` after load); the host pushes changes as notifications.
// Names carry direction and kind: the union a message belongs to says who sends it.
// Numbers here are already computed by the core; the webview only shapes and draws them.
// The figures' types come from the core's report (a type-only import: src/core/report.ts
// imports no node built-ins, so the webview's DOM-only type check can follow it).
import type { LengthQuartile, ReportCheckpoint, StepPath } from '../core/report';

/**
 * Where a checkpoint is in its life in this session; 'elsewhere': another process (the CLI, a
 * cluster task, another window) is scoring it into the run's store, and its result will be read.
 */
export type CheckpointState = 'queued' | 'scoring' | 'elsewhere' | 'done' | 'failed';

/** Who scores a checkpoint in another process: its host, pid, and since when (ISO time). */
export interface ScoringElsewhere {
  host: string;
  pid: number;
  since: string;
}

/** The report's figures a row carries, as the report's JSON spells them (empty / null until scored). */
type RowFigures = Pick<ReportCheckpoint, 'cePerToken' | 'cePerSequence' | 'kl' | 'coverage' | 'coverageInterval' | 'passAt' | 'tournamentScore' | 'rivalStep'>;

/** One checkpoint's figures, one row of the table and one point per curve. */
export interface CheckpointRow extends RowFigures {
  step: number;
  /** Path relative to the run root: the checkpoint's identity everywhere. */
  path: string;
  state: CheckpointState;
  /** Training tokens seen at this step (step × coverage.json's tokensPerStep), when known. */
  trainTokens: number | null;
  /** Evaluation samples and response tokens scored. */
  samples: number | null;
  evalTokens: number | null;
  /** Why scoring failed (state 'failed'). */
  reason?: string;
  /** Who scores it (state 'elsewhere'). */
  elsewhere?: ScoringElsewhere;
}

/** A checkpoint named by step and path (the suggestion, the lowest-CE one). */
export type CheckpointRef = StepPath;

/** Scoring progress over the whole run, for the panel's progress line and the status bar. */
export interface ScoringProgress {
  done: number;
  failed: number;
  /** Checkpoints other processes are scoring into the store now. */
  elsewhere: number;
  total: number;
  /** The checkpoint being scored now, with its own sample progress. */
  current: { path: string; step: number; samples: number; totalSamples: number } | null;
  tokensPerSecond: number | null;
  /** Execution provider that ran the last job ("cpu", "cuda", …), once known. */
  provider: string | null;
}

/** Everything the panel draws for one run. */
export interface RunSnapshot {
  /** Monotone per session, so a late snapshot never overwrites a newer one. */
  version: number;
  runName: string;
  runPath: string;
  /** Reference mode the figures use ("generator", "point-mass", "tournament", "model:<path>"). */
  reference: string | null;
  selectionN: number;
  nGrid: number[];
  /** Tournament slack; two scores closer than 2·dev are not resolved by this eval set. */
  dev: number | null;
  /** False when the two best tournament scores are within 2·dev. */
  resolved: boolean | null;
  /** The report's one-line verdict (which checkpoint, why, against the lowest-CE one). */
  verdict: string | null;
  /**
   * Whether the report covers every checkpoint scored so far: false for the moment between a
   * score arriving and the report rebuilt with it (the verdict may still change).
   */
  reportComplete: boolean;
  /** A[suggested, lowest-CE]: how much the suggestion out-covers the lowest-CE checkpoint. */
  suggestedOutcoversMinCe: number | null;
  /** Report warnings (thin samples, unresolved choice, skipped samples). */
  warnings: string[];
  suggested: CheckpointRef | null;
  minCrossEntropy: CheckpointRef | null;
  /** Every checkpoint, sorted by step then path. */
  rows: CheckpointRow[];
  /** Indices into `rows` that the charts draw (downsampled in the host; marked ones always kept). */
  plotIndices: number[];
  progress: ScoringProgress;
  /** Problems with the run's inputs (eval lines, config keys), already worded for users. */
  problems: string[];
  /** A run-level error that stops scoring (shown as the panel's error banner). */
  error: string | null;
  /** Scoring waits for workspace trust. */
  awaitingTrust: boolean;
}

/** One checkpoint's coverage profile N ↦ Cov_N with its 95% Wilson band. */
export interface ProfileSeries {
  role: 'this' | 'suggested' | 'minCrossEntropy';
  step: number;
  path: string;
  points: { n: number; cov: number; lo: number; hi: number }[];
}

/** One sample the checkpoint covers worst, with its per-token log-probs. */
export interface WorstSample {
  /** 1-based line in the eval file, and the sample's own id when it has one. */
  line: number;
  id: string | null;
  /** L(i) = r(i) − s(i) in nats, or "Infinity" when the checkpoint gave probability 0. */
  logRatio: number | 'Infinity';
  seqLogprob: number;
  /** Prompt text when the eval line gave text (shown dimmed before the response). */
  prompt: string | null;
  /** Response tokens: decoded text when a tokenizer is known, else the token id. */
  tokens: { text: string; logprob: number }[];
}

/** What the inspect view shows for one checkpoint. */
export interface InspectData {
  step: number;
  path: string;
  reference: string | null;
  selectionN: number;
  profiles: ProfileSeries[];
  /** Histogram of the per-sample log-ratios L(i) (nats); infinite ones counted apart. */
  logRatios: { edges: number[]; counts: number[]; infinite: number; samples: number } | null;
  /** A[j,k] for every rival j: the share of samples j out-covers this checkpoint on by ln N or more. */
  tournament: { score: number | null; rivalStep: number | null; rivals: { step: number; path: string; share: number }[] } | null;
  worst: WorstSample[];
  passAt: Record<string, number> | null;
  /** CE per token and Cov_N by response-length quartile (the report's byLength); null until scored. */
  byLength: LengthQuartile[] | null;
  /** Why a section is empty (no reference densities, not scored yet, …). */
  notes: string[];
}

export type ExportFormat = 'csv' | 'json';

// ---- Requests the webview sends; the host answers each. ----
export type WebviewToHostRequest =
  /** Start-up pull: the current snapshot (null when no run is open). */
  | { method: 'getSnapshotRequest'; params: Record<string, never>; result: RunSnapshot | null }
  /** Data for the inspect view of one checkpoint; also moves it to the front of the queue. */
  | { method: 'inspectCheckpointRequest'; params: { path: string }; result: InspectData }
  /** Save the figures as CSV or JSON through the host's save dialog; answers the saved path or null. */
  | { method: 'exportFiguresRequest'; params: { format: ExportFormat }; result: string | null }
  /** Save a chart as PNG (a data: URL from canvas.toDataURL) through the save dialog. */
  | { method: 'saveChartImageRequest'; params: { name: string; dataUrl: string }; result: string | null };

// ---- Notifications the webview sends. ----
export type WebviewToHostNotification =
  /** The user picked a checkpoint (point, row): the host reveals it in the tree. */
  | { method: 'didSelectCheckpointNotification'; params: { path: string } }
  /** Rescore every checkpoint. */
  | { method: 'rescoreCommandNotification'; params: Record<string, never> }
  /** Open the log output channel. */
  | { method: 'showLogCommandNotification'; params: Record<string, never> }
  /** A webview-side error the user saw; the host logs it. */
  | { method: 'didHitErrorNotification'; params: { message: string } };

// ---- Requests the host sends to the webview. ----
export type HostToWebviewRequest =
  /** PNG data URLs of every chart now drawn (for Export Results… from the command palette). */
  { method: 'collectChartImagesRequest'; params: Record<string, never>; result: { name: string; dataUrl: string }[] };

// ---- Notifications the host sends. ----
export type HostToWebviewNotification =
  /** A newer snapshot: scores arrived, the queue moved, the run changed. */
  | { method: 'didChangeSnapshotNotification'; params: RunSnapshot }
  /** Show the inspect view of this checkpoint (selected in the tree or by command). */
  | { method: 'showInspectNotification'; params: { path: string } };

/** The webview's persisted UI state (vscode.setState); bump `version` when the shape changes. */
export interface PanelUiState {
  version: 1;
  /** The run shown, so a reloaded window reopens it (the serializer reads this). */
  runPath: string | null;
  xAxis: 'step' | 'tokens';
  xScale: 'linear' | 'log';
  /** Draw 1 − Cov_N ("covered", higher is better) instead of Cov_N. */
  covered: boolean;
  /** The N values whose Cov_N curves are drawn. */
  shownN: number[];
  /** The checkpoint whose inspect view is open, if any. */
  inspecting: string | null;
}

export const UI_STATE_VERSION = 1;
