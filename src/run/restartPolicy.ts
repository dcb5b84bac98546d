// What to do when a scoring job fails: the one copy of the retry and back-off rules, used by
// the scoring worker client (workerClient.ts), which is the only place that retries. Pure, so
// the rules are tested without a worker.
// A crash (the worker died: native fault, out of memory, killed) may be transient, so the job
// is retried once on a fresh worker after a back-off that grows with consecutive crashes.
// An error the job itself reported (bad model, bad eval data) would fail the same way again,
// so it is not retried. A cancelled job is simply dropped.
import { isTransient, type ScoreErrorKind } from '../core/scoreError';

export interface RestartPolicyOptions {
  /** Delay before the first restart after a crash. */
  baseDelayMs: number;
  /** Upper bound of the exponential back-off. */
  maxDelayMs: number;
  /** Retries of one job after crashes: 0 or 1 (larger values are treated as 1). */
  retriesPerJob: number;
}

/** A job runs at most twice: a checkpoint that kills the worker twice is not tried a third time. */
export const MAX_RETRIES_PER_JOB = 1;

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { baseDelayMs: 500, maxDelayMs: 30_000, retriesPerJob: 1 };

export type FailureDecision =
  | { action: 'retry'; delayMs: number }
  | { action: 'fail'; reason: string }
  | { action: 'drop' };

export class RestartPolicy {
  private crashStreak = 0;

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** Consecutive crashes since the last successful job. */
  get consecutiveCrashes(): number {
    return this.crashStreak;
  }

  /**
   * Decides after attempt number `attempt` (1-based) of a job failed.
   * `message` is the failure text; it becomes the failed checkpoint's reason.
   */
  onFailure(kind: ScoreErrorKind, attempt: number, message: string): FailureDecision {
    if (kind === 'cancelled') return { action: 'drop' };
    if (!isTransient(kind)) return { action: 'fail', reason: message };
    this.crashStreak++;
    if (attempt > Math.min(MAX_RETRIES_PER_JOB, this.options.retriesPerJob)) {
      return { action: 'fail', reason: attempt === 1 ? message : `the scoring worker stopped ${attempt} times on this checkpoint: ${message}` };
    }
    return { action: 'retry', delayMs: this.backoff() };
  }

  onSuccess(): void {
    this.crashStreak = 0;
  }

  /** Back-off before starting a fresh worker, growing with the crash streak. */
  backoff(): number {
    if (this.crashStreak === 0) return 0;
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (this.crashStreak - 1));
  }

  /**
   * Whether the crash just counted is the first since the last successful job: the user hears
   * about crashes once per streak, details go to the log. Asked once per crash.
   */
  shouldTellUser(): boolean {
    return this.crashStreak === 1;
  }
}
