// What to do when a scoring job fails: the one copy of the retry and back-off rules, used by
// the scoring worker client (workerClient.ts), which is the only place that runs a job again.
// Pure, so the rules are tested without a worker.
// A worker that died under a job (native fault, out of memory, killed) may have died of the
// job's size, so the job runs again on a fresh worker with a smaller token budget (batching.ts's
// smallerBudget halves the largest batch), never twice on the same budget: after running out of
// memory, down to one sample per batch; after any other death, once. An error the job itself reported (bad
// model, bad eval data, out of memory even with one sample per batch) would fail the same way
// again, so it is not retried. A cancelled job is simply dropped.
import { isTransient, type ScoreErrorKind } from '../core/scoreError';

export interface RestartPolicyOptions {
  /** Delay before the first restart after a crash. */
  baseDelayMs: number;
  /** Upper bound of the exponential back-off. */
  maxDelayMs: number;
  /** Retries of one job after a death that was not out of memory: 0 or 1 (larger values are treated as 1); 0 also turns off the out-of-memory retries. */
  retriesPerJob: number;
}

/** A job whose worker died of something other than memory runs at most twice. */
export const MAX_RETRIES_PER_JOB = 1;

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { baseDelayMs: 500, maxDelayMs: 30_000, retriesPerJob: 1 };

/** The token budgets a job has run at (oldest first) and the next smaller one, if any. */
export interface JobBudgets {
  tried: readonly number[];
  /** Undefined when every batch already held one sample: no smaller budget exists. */
  next?: number;
}

export type FailureDecision =
  { action: 'retry'; delayMs: number; tokenBudget: number } | { action: 'fail'; reason: string } | { action: 'drop' };

export class RestartPolicy {
  private crashStreak = 0;

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** Consecutive crashes since the last successful job. */
  get consecutiveCrashes(): number {
    return this.crashStreak;
  }

  /**
   * Decides after attempt number `attempt` (1-based) of a job failed. `message` is the failure
   * text; it becomes the failed checkpoint's reason. `budgets` says which budgets the job ran at.
   */
  onFailure(kind: ScoreErrorKind, attempt: number, message: string, budgets: JobBudgets): FailureDecision {
    if (kind === 'cancelled') return { action: 'drop' };
    if (!isTransient(kind)) return { action: 'fail', reason: message };
    this.crashStreak++;
    const retries = this.options.retriesPerJob <= 0 ? 0 : kind === 'out-of-memory' ? Infinity : MAX_RETRIES_PER_JOB;
    if (attempt <= retries && budgets.next !== undefined) {
      return { action: 'retry', delayMs: this.backoff(), tokenBudget: budgets.next };
    }
    if (attempt === 1 && budgets.next !== undefined) return { action: 'fail', reason: message };
    const last = budgets.next === undefined ? ', the last with one sample per batch' : '';
    const times = attempt === 1 ? 'once' : `${attempt} times`;
    return {
      action: 'fail',
      reason: `the scoring worker stopped ${times} on this checkpoint (token budget ${budgets.tried.join(', ')}${last}): ${message}`,
    };
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

/** The worker died under a job: what happens next, and a short line for the user. */
export interface WorkerCrashNotice {
  checkpointPath: string;
  /** Why the worker is gone (killed, out of memory, exit code). */
  reason: string;
  /** 1 for the first run of the job, 2 for its first retry, … */
  attempt: number;
  /** The token budget the attempt ran at. */
  tokenBudget: number;
  /** The smaller budget the job runs at next, when it is retried. */
  nextTokenBudget?: number;
  /** True when the job is retried on a fresh worker; false when it is failed. */
  retrying: boolean;
  /** First crash since the last successful job: worth one notification. */
  tellUser: boolean;
  message: string;
}
