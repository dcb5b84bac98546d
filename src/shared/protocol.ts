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
type RowFigures = Pick<
  ReportCheckpoint,
  'cePerToken' | 'cePerSequence' | 'kl' | 'coverage' | 'coverageInterval' | 'passAt' | 'tournamentScore' | 'rivalStep'
>;

/** One checkpoint's figures, one row of the table and one point per curve. */
export interface CheckpointRow extends RowFigures {
  step: number;
  /** Path relative to the run root: the checkpoint's identity everywhere. */
  path: string;
  state: CheckpointState;
  /** How it is stored: `onnx`, or `safetensors llama` (with config.json's model_type). */
  model: string;
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

/** A run as the panel shows it among the open runs. */
export interface PanelRun extends RunSnapshot {
  /** Its name in the legend, the table and the verdict: the folder's name, with parents enough to be unique. */
  label: string;
  /** Its colour slot (the webview's palette maps it to a colour): kept while the run stays, across reloads too. */
  colour: number;
}

/** A checkpoint of one of the open runs; `run` is the run's folder (its runPath). */
export interface RunCheckpointRef extends CheckpointRef {
  run: string;
}

/**
 * The comparison across the open runs (two or more): one coverage tournament over all their
 * checkpoints (core/report/across.ts), as `checkpoint-coverage report <run> <run> …` makes it.
 */
export interface AcrossSnapshot {
  selectionN: number;
  dev: number | null;
  resolved: boolean;
  /** Names checkpoints by step and run label. */
  verdict: string;
  suggested: RunCheckpointRef | null;
  minCrossEntropy: RunCheckpointRef | null;
  /** Each compared checkpoint's standing in the tournament across runs. */
  checkpoints: { run: string; path: string; tournamentScore: number | null; rivalRun: string | null; rivalStep: number | null }[];
  /** Labels of open runs not in the comparison yet (nothing scored, or not open), each with why. */
  pending: string[];
}

/** Everything the panel draws: the open runs, in the order they were added, and their comparison. */
export interface PanelSnapshot {
  /** Monotone per window, so a late snapshot never overwrites a newer one. */
  version: number;
  runs: PanelRun[];
  /** With two or more runs: the comparison, or null with acrossError saying why there is none. */
  across: AcrossSnapshot | null;
  acrossError: string | null;
}

/** One checkpoint's coverage profile N ↦ Cov_N with its 95% Wilson band. */
export interface ProfileSeries {
  role: 'this' | 'suggested' | 'minCrossEntropy';
  /** The run's label when the panel compares several runs (the suggestion may be another run's). */
  run?: string;
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

/** What the inspect view shows for one checkpoint (the engine's part: the session adds the run). */
export interface InspectData extends CheckpointInspect {
  /** The run's folder (its runPath) and its label in the panel. */
  run: string;
  runName: string;
}

export interface CheckpointInspect {
  step: number;
  path: string;
  /** As CheckpointRow.model. */
  model: string;
  reference: string | null;
  selectionN: number;
  profiles: ProfileSeries[];
  /** Histogram of the per-sample log-ratios L(i) (nats); infinite ones counted apart. */
  logRatios: { edges: number[]; counts: number[]; infinite: number; samples: number } | null;
  /**
   * A[j,k] for every rival j: the share of samples j out-covers this checkpoint on by ln N or more.
   * With several runs compared, over every run's checkpoints (`run`: the rival's run label).
   */
  tournament: {
    score: number | null;
    rivalStep: number | null;
    rivalRun?: string | null;
    rivals: { run?: string; step: number; path: string; share: number }[];
  } | null;
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
  /** Start-up pull: the current snapshot (no runs when none is open). */
  | { method: 'getSnapshotRequest'; params: Record<string, never>; result: PanelSnapshot }
  /** Data for the inspect view of one run's checkpoint; also moves it to the front of the queue. */
  | { method: 'inspectCheckpointRequest'; params: RunCheckpointId; result: InspectData }
  /** Save the figures as CSV or JSON through the host's save dialog; answers the saved path or null. */
  | { method: 'exportFiguresRequest'; params: { format: ExportFormat }; result: string | null }
  /** Save a chart as PNG (a data: URL from canvas.toDataURL) through the save dialog. */
  | { method: 'saveChartImageRequest'; params: { name: string; dataUrl: string }; result: string | null };

// ---- Notifications the webview sends. ----
export type WebviewToHostNotification =
  /** The user picked a checkpoint (point, row): the host reveals it in the tree. */
  | { method: 'didSelectCheckpointNotification'; params: RunCheckpointId }
  /** Rescore every checkpoint of every open run. */
  | { method: 'rescoreCommandNotification'; params: Record<string, never> }
  /** Add Run to Panel… (the host asks which folders). */
  | { method: 'addRunCommandNotification'; params: Record<string, never> }
  /** Take a run out of the panel: it is no longer watched or scored. */
  | { method: 'removeRunCommandNotification'; params: { run: string } }
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
  /** A newer snapshot: scores arrived, the queue moved, a run came or went. */
  | { method: 'didChangeSnapshotNotification'; params: PanelSnapshot }
  /** Show the inspect view of this checkpoint (selected in the tree or by command). */
  | { method: 'showInspectNotification'; params: RunCheckpointId };

/** A checkpoint of an open run: the run's folder (runPath) and the checkpoint's run-relative path. */
export interface RunCheckpointId {
  run: string;
  path: string;
}
