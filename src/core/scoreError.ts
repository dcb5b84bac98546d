// Why a checkpoint has no scores, as data: a kind (what went wrong, and so whether trying again
// could help), the checkpoint, the file and the sample it concerns, and a message in our words
// that names neither the checkpoint nor the file again. Layers below throw it, the worker carries
// it over the RPC as data (rpc.ts's `code` + `data`), and each front end words it once
// (describeFailure: a CLI line, a log line, a tree tooltip, a panel row). Nothing reads the
// message to find out what happened: the fields say it.
import { FileError } from './fileError';

export type ScoreErrorKind =
  /** The checkpoint cannot be read as a model or driven (format, signature, weights, NaN output). */
  | 'bad-model'
  /** Eval data this checkpoint cannot take (token ids beyond its vocabulary, too long for it). */
  | 'bad-data'
  /** A file of the checkpoint cannot be read (permissions, a vanished file before scoring began). */
  | 'unreadable'
  /** The scoring worker died under the job (native fault, killed): may be transient. */
  | 'crashed'
  /** The job ran out of memory (the worker's heap, onnxruntime's allocator). */
  | 'out-of-memory'
  /** Stopped on request (the checkpoint was removed or replaced, the run closed). */
  | 'cancelled'
  /** The checkpoint's files changed while it was scored; nothing was stored. */
  | 'changed'
  /** The checkpoint was deleted while it was scored; nothing was stored. */
  | 'deleted'
  /** The store could not be written or its stored scores could not be removed. */
  | 'store'
  /** Anything else: a fault of ours, worded as it was thrown. */
  | 'internal';

export const SCORE_ERROR_KINDS: readonly ScoreErrorKind[] = [
  'bad-model',
  'bad-data',
  'unreadable',
  'crashed',
  'out-of-memory',
  'cancelled',
  'changed',
  'deleted',
  'store',
  'internal',
];

/** The sample a failure concerns: its 1-based line in the eval file and its own id when it has one. */
export interface SampleRef {
  line: number;
  id?: string;
}

export interface ScoreErrorData {
  kind: ScoreErrorKind;
  /** In our words; names neither the checkpoint nor `file` unless the sentence needs it. */
  message: string;
  /** The checkpoint's run-relative path (what users see), when known. */
  checkpoint?: string;
  /** The file the failure is about when it is not the checkpoint's model file (weights, eval set, store). */
  file?: string;
  sample?: SampleRef;
}

export class ScoreError extends Error {
  override name = 'ScoreError';
  readonly kind: ScoreErrorKind;
  readonly checkpoint?: string;
  readonly file?: string;
  readonly sample?: SampleRef;

  constructor(data: ScoreErrorData) {
    super(data.message);
    this.kind = data.kind;
    if (data.checkpoint !== undefined) this.checkpoint = data.checkpoint;
    if (data.file !== undefined) this.file = data.file;
    if (data.sample !== undefined) this.sample = data.sample;
  }

  /** The plain object that crosses processes (structured clone or JSON). */
  get data(): ScoreErrorData {
    const d: ScoreErrorData = { kind: this.kind, message: this.message };
    if (this.checkpoint !== undefined) d.checkpoint = this.checkpoint;
    if (this.file !== undefined) d.file = this.file;
    if (this.sample !== undefined) d.sample = this.sample;
    return d;
  }

  /** The same failure attributed to a checkpoint (the layer that knows which one adds it). */
  forCheckpoint(checkpoint: string): ScoreError {
    return this.checkpoint === checkpoint ? this : new ScoreError({ ...this.data, checkpoint });
  }
}

/**
 * Any thrown value as a ScoreError: a ScoreError stays itself; anything else is a fault of
 * ours (an unexpected exception), kept as 'internal' with its text rather than guessed at.
 */
export function asScoreError(e: unknown, fallback: Partial<ScoreErrorData> = {}): ScoreError {
  if (e instanceof ScoreError) return e;
  return new ScoreError({ kind: 'internal', ...fallback, message: e instanceof Error ? e.message : String(e) });
}

/**
 * A failure while scoring one checkpoint: a ScoreError gets the checkpoint's name; a FileError
 * about the checkpoint's own model file (by either of its names) keeps only its reason (the checkpoint is named once,
 * by whoever words it), about another file (external weights) its whole message; anything else
 * is 'internal'.
 */
export function checkpointError(e: unknown, checkpoint: { path: string; modelPath: string }): ScoreError {
  if (e instanceof ScoreError) return e.forCheckpoint(checkpoint.path);
  if (e instanceof FileError) {
    // Readers name the model by its absolute path or by the run-relative one they were given.
    const own = e.file === checkpoint.modelPath || e.file === checkpoint.path;
    return new ScoreError({
      kind: e.kind,
      checkpoint: checkpoint.path,
      message: own ? e.reason : e.message,
      ...(own ? {} : { file: e.file }),
    });
  }
  return asScoreError(e, { checkpoint: checkpoint.path });
}

/** Checks a value received from another process; undefined when it is not ScoreErrorData. */
export function scoreErrorData(v: unknown): ScoreErrorData | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!SCORE_ERROR_KINDS.includes(o.kind as ScoreErrorKind) || typeof o.message !== 'string') return undefined;
  const d: ScoreErrorData = { kind: o.kind as ScoreErrorKind, message: o.message };
  if (typeof o.checkpoint === 'string') d.checkpoint = o.checkpoint;
  if (typeof o.file === 'string') d.file = o.file;
  const s = o.sample as Record<string, unknown> | undefined;
  if (s && typeof s.line === 'number') d.sample = typeof s.id === 'string' ? { line: s.line, id: s.id } : { line: s.line };
  return d;
}

/**
 * The one wording of a failure: `<checkpoint>: <message>` where a line must name the checkpoint
 * (stderr, the log), the message alone where the checkpoint is already in view (its table row,
 * its tree item).
 */
export function describeFailure(d: ScoreErrorData, where: 'line' | 'row' = 'line'): string {
  return where === 'line' && d.checkpoint !== undefined ? `${d.checkpoint}: ${d.message}` : d.message;
}

/** Whether running the same job again could succeed: only when the worker died under it. */
export function isTransient(kind: ScoreErrorKind): boolean {
  return kind === 'crashed' || kind === 'out-of-memory';
}
