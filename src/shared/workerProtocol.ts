// Every message between a scoring client (extension host or CLI) and the scoring worker.
// Carried by the RPC helper in ./rpc. The worker scores one checkpoint at a time; a job is
// one request that resolves with the scores or rejects with a ScoreError as data (the error
// reply's code is SCORE_ERROR_CODE and its data a ScoreErrorData).
// Typed arrays travel by structured clone (copied), so both sides own their arrays.
import type { ProviderAttempt, ProviderName, ProviderSetting, SkippedSample } from '../core/store';
import type { EvalSample } from '../core/types';

/** One eval sample as the worker needs it: tokens plus what names it in messages (no text). */
export type WireSample = Pick<EvalSample, 'index' | 'line' | 'id' | 'promptIds' | 'responseIds'>;

/** An eval set as the worker keeps it; `file` names its samples in messages. */
export interface EvalSetParams {
  hash: string;
  file: string;
  samples: WireSample[];
}

export interface ScoreJobOptions {
  provider: ProviderSetting;
  /** Upper bound on padded tokens per batch (memory grows with it). */
  tokenBudget: number;
  /** False when several ONNX sessions share the process: spinning threads slow each other. */
  allowSpinning: boolean;
  /** Intra-op threads; 0 lets onnxruntime choose. */
  intraOpThreads: number;
}

export interface ScoreCheckpointParams {
  jobId: string;
  /** Checkpoint path relative to the run root (names it in messages). */
  checkpointPath: string;
  modelPath: string;
  /** The eval set loaded earlier with loadEvalSetRequest. */
  evalSetHash: string;
  options: ScoreJobOptions;
}

export interface ScoreCheckpointResult {
  seqLogprob: Float64Array;
  tokenCounts: Uint32Array;
  tokenOffsets: Uint32Array;
  tokenLogprobs: Float32Array;
  provider: ProviderName;
  attempts: ProviderAttempt[];
  skipped: SkippedSample[];
  seconds: number;
  /** Tokens fed to the model, padding excluded. */
  tokens: number;
}

// ---- Requests the client sends; the worker answers each. ----
export type ClientToWorkerRequest =
  /** Keep this eval set in the worker (replaces the previous one); later jobs name it by hash. */
  | { method: 'loadEvalSetRequest'; params: EvalSetParams; result: { samples: number } }
  /** Score one checkpoint on the loaded eval set; rejects with a ScoreError (code SCORE_ERROR_CODE) on any failure. */
  | { method: 'scoreCheckpointRequest'; params: ScoreCheckpointParams; result: ScoreCheckpointResult };

// ---- Notifications the client sends. ----
export type ClientToWorkerNotification =
  /** Stop the job between batches; its request rejects with a ScoreError of kind 'cancelled'. */
  { method: 'cancelJobNotification'; params: { jobId: string } };

// ---- Requests the worker sends (none: the worker only answers and reports). ----
export type WorkerToClientRequest = never;

export interface ScoreProgress {
  jobId: string;
  samplesDone: number;
  samplesTotal: number;
  tokensDone: number;
  tokensTotal: number;
  /** Throughput so far in this job (unpadded tokens). */
  tokensPerSecond: number;
  provider: ProviderName;
}

// ---- Notifications the worker sends. ----
export type WorkerToClientNotification =
  /** After each batch: how far the job is. */
  | { method: 'scoreProgressNotification'; params: ScoreProgress }
  /** A line for the log (provider fallbacks, skipped samples); warnings are worth showing. */
  | { method: 'workerLogNotification'; params: { level: 'info' | 'warning'; message: string } };

/** The RPC error code of a job's failure; the error's data is then a ScoreErrorData. */
export const SCORE_ERROR_CODE = 'score-error';
