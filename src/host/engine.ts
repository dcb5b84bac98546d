// What the extension host needs from the engine (layout scan, eval set, worker, store,
// metrics), as small interfaces. The session is written against these so its logic runs in
// tests with fakes; engineAdapter.ts implements them over the real core and worker client.
import type { CheckpointEntry } from '../core/types';
import type { CoverageReport, ReportCheckpointInput } from '../core/report';
import type { CheckpointInspect, ScoringElsewhere } from '../shared/protocol';
import type { Settings } from '../core/settings';
import type { ScoringTurns } from './scoringTurns';
import type { SessionLog } from './sessionLog';

/** The report the core builds (the object behind `checkpoint-coverage report --json`). */
export type RunReport = CoverageReport;

/** Progress of one job, as the worker reports it. */
export interface JobProgress {
  samplesDone: number;
  samplesTotal: number;
  tokensPerSecond: number;
  provider: string | null;
}

export interface ScanResult {
  checkpoints: CheckpointEntry[];
  /** Run-relative paths still being written; the session looks again once they settle. */
  pending?: string[];
  /** Input problems worded for users (file, line, what was expected). */
  problems: string[];
}

/** A run opened for scoring: its eval set is loaded, its store located. */
export interface OpenedRun {
  readonly root: string;
  /** Run-relative paths whose change makes every score stale (eval file, tokenizer, reference model). */
  readonly evalPaths: readonly string[];
  /** Store folder relative to the root when inside it (the watcher ignores it). */
  readonly storeDir: string;
  /** The store folder, absolute: its scores and locks are watched for other processes' work. */
  readonly storePath: string;
  readonly tokensPerStep: number | null;
  readonly nGrid: readonly number[];
  readonly selectionN: number;
  /** Problems found while opening (eval lines, config keys); the run still opens. */
  readonly problems: readonly string[];
  /** The eval set's token-id hash: runs are compared across only on one eval set. */
  readonly evalSetHash: string;
  scan(): Promise<ScanResult>;
  /** True when the store already holds valid scores for this checkpoint on this eval set. */
  hasScores(entry: CheckpointEntry): Promise<boolean>;
  /**
   * Of `entries`, the paths whose valid scores are in the store now (another process stored
   * them); with `files`, only entries whose score file is among those names are looked up.
   */
  storedNow(entries: readonly CheckpointEntry[], files?: ReadonlySet<string>): Promise<string[]>;
  /** Checkpoints other live processes are scoring into the store now, by path. */
  elsewhere(): Promise<ReadonlyMap<string, ScoringElsewhere>>;
  /**
   * Scores one checkpoint into the store (or waits for another scorer holding it); rejects with
   * a ScoreError. One that says 'crashed' or 'out-of-memory' was already run again on smaller
   * budgets by the worker client (the only place that retries), so the session fails it.
   */
  score(entry: CheckpointEntry, onProgress: (p: JobProgress) => void, signal: AbortSignal): Promise<{ provider: string | null }>;
  /** The report over every checkpoint with stored scores. */
  report(entries: readonly CheckpointEntry[]): Promise<RunReport | null>;
  /**
   * What a comparison across runs needs of this run's `report`: the scores and r(i) it was built
   * from. Null when `report` is not the latest report this run built (a newer one replaced it).
   */
  acrossInput(report: RunReport): { checkpoints: ReportCheckpointInput[]; r: Float64Array | null } | null;
  inspect(entries: readonly CheckpointEntry[], path: string): Promise<CheckpointInspect>;
  /** Forget stored scores so the next score() recomputes (Rescore). */
  invalidate(entry: CheckpointEntry): Promise<void>;
  /**
   * Ends the worker and saves the hash cache; resolves once the worker is gone. Never rejects:
   * a failure is logged by the run itself.
   */
  dispose(): Promise<void>;
}

/** What the engine reports while it works, beyond each job's own outcome. */
export interface EngineEvents {
  /** The worker died under a job; show `message` to the user when `tellUser` (once per crash streak). */
  onWorkerCrash?(notice: { checkpointPath: string; message: string; retrying: boolean; tellUser: boolean }): void;
}

/** How the session wants the run opened beyond the user's settings. */
export interface OpenOptions {
  /** The layout's settle time (tests pass 0); the layout's default when absent. */
  settleMs?: number;
}

export interface RunEngine {
  /** Reads the run's config and eval set; rejects with a message naming the file when the run cannot be used. */
  open(root: string, settings: Settings, events?: EngineEvents, options?: OpenOptions): Promise<OpenedRun>;
}

/** What a RunSession (runSession.ts) is built from. */
export interface SessionDeps {
  engine: RunEngine;
  settings: Settings;
  log: SessionLog;
  /** Workspace trust: nothing is scored while this is false. */
  isTrusted: () => boolean;
  /** Short messages worth a notification (a crashed worker, once per streak); details go to the log. */
  notifyUser?: (message: string) => void;
  /** The layout's settle time (files changed more recently are still being written); tests pass 0. */
  settleMs?: number;
  /** Least time between two report builds while scores stream in (default 1 s). */
  reportIntervalMs?: number;
  /** Least time between two snapshots sent to the listeners (default 100 ms). */
  publishIntervalMs?: number;
  /** How often the store's claims are read again while another process holds some (default 5 s). */
  claimPollMs?: number;
  /** With several runs open, the one worker's turns (scoringTurns.ts). */
  turns?: ScoringTurns;
}
