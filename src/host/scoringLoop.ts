// The session's scoring loop: each checkpoint's state (queued, scoring, done, failed and why),
// the queue in the order the user should see results, the one job in flight and its progress.
// It runs in the background (`pump()` returns at once) and never retries: the worker client has
// already restarted a worker that died and run the job again on smaller budgets (never twice on one).
import { ScoreError, asScoreError, describeFailure, type ScoreErrorData } from '../core/scoreError';
import type { CheckpointEntry } from '../core/types';
import type { CheckpointState, ScoringProgress } from '../shared/protocol';
import { errorText } from '../shared/rpc';
import type { OpenedRun } from './engine';
import { ScoreQueue } from './queueOrder';
import type { ScoringTurns, TurnTaker } from './scoringTurns';
import type { SessionLog } from './sessionLog';

export interface CheckpointStatus {
  state: CheckpointState;
  /** Why it failed (state 'failed'). */
  failure?: ScoreErrorData;
}

export interface ScoringLoopDeps {
  log: SessionLog;
  /** Workspace trust: nothing is scored while this is false. */
  isTrusted: () => boolean;
  /** The checkpoint a path names now (the session's latest scan), if it is still there. */
  entry: (path: string) => CheckpointEntry | undefined;
  /** Something the snapshot shows changed (a state, the progress). */
  changed: () => void;
  /** A job stored its scores. */
  scored: (entry: CheckpointEntry) => void;
  /** The queue ran dry (or waits on trust or on other processes): nothing more runs for now. */
  drained: () => void;
  /** Another process is scoring it: it stays queued, and its result is read when it is stored. */
  heldElsewhere: (path: string) => boolean;
  /** With several runs open: the one worker's turns, which each job waits for (scoringTurns.ts). */
  turns?: ScoringTurns;
}

interface Job {
  path: string;
  controller: AbortController;
  samples: number;
  totalSamples: number;
}

export class ScoringLoop {
  readonly queue = new ScoreQueue();
  private readonly states = new Map<string, CheckpointStatus>();
  private current: Job | null = null;
  private tokensPerSecond: number | null = null;
  private provider: string | null = null;
  private pumping: Promise<void> | null = null;
  private stopped = false;
  /** This loop as the turns see it: the reason of its next eligible checkpoint. */
  private readonly taker: TurnTaker = { next: () => this.queue.peek(this.eligible)?.reason };
  private readonly eligible = (item: { path: string }) => !this.deps.heldElsewhere(item.path);

  constructor(private readonly deps: ScoringLoopDeps) {}

  status(path: string): CheckpointStatus | undefined {
    return this.states.get(path);
  }

  /** Every checkpoint's state, for the snapshot. */
  get statuses(): ReadonlyMap<string, CheckpointStatus> {
    return this.states;
  }

  /** Whether a job is running or queued work is being drained. */
  get busy(): boolean {
    return this.pumping !== null;
  }

  markDone(path: string): void {
    this.states.set(path, { state: 'done' });
  }

  /** Another process stored its scores: done, and out of the queue. */
  markStored(path: string): void {
    this.queue.remove(path);
    this.markDone(path);
  }

  markFailed(path: string, failure: ScoreErrorData): void {
    this.states.set(path, { state: 'failed', failure });
  }

  /** Queued for the first pass over the run (coarse to fine) or because it arrived or changed. */
  enqueue(entries: readonly CheckpointEntry[], reason: 'initial' | 'arrived'): void {
    if (reason === 'initial') this.queue.addInitial(entries);
    else for (const e of entries) this.queue.add(e.path, e.step, 'arrived');
    for (const e of entries) this.states.set(e.path, { state: 'queued' });
  }

  /** The checkpoint left the run: out of the queue, its job (if running) cancelled. */
  forget(path: string): void {
    this.cancelIfCurrent(path);
    this.queue.remove(path);
    this.states.delete(path);
  }

  /** Moves a checkpoint to the front of the queue (the user clicked it); true when it moved. */
  prioritize(path: string): boolean {
    return this.queue.promote(path);
  }

  cancelIfCurrent(path: string): void {
    if (this.current?.path === path) this.current.controller.abort();
  }

  /**
   * Rescore: cancels what runs, forgets every checkpoint's stored scores and queues them all
   * again; one whose stored scores cannot be removed fails, since scoring it would only read them back.
   */
  async rescoreAll(opened: OpenedRun, entries: readonly CheckpointEntry[]): Promise<void> {
    this.cancelAll();
    const queued: CheckpointEntry[] = [];
    for (const e of entries) {
      try {
        await opened.invalidate(e);
        queued.push(e);
      } catch (err) {
        const failure = asScoreError(err, { kind: 'store', checkpoint: e.path });
        this.markFailed(e.path, { ...failure.data, message: `cannot rescore: ${failure.message}` });
        this.deps.log.error('rescore', `${e.path}: ${failure.message}`);
      }
    }
    this.enqueue(queued, 'initial');
  }

  /** Whether the store already holds a checkpoint's scores; a store that cannot be read means score it again, said in the log. */
  async alreadyStored(opened: OpenedRun, e: CheckpointEntry): Promise<boolean> {
    try {
      return await opened.hasScores(e);
    } catch (err) {
      this.deps.log.warn('store', `cannot read the stored scores of ${e.path}, scoring it again: ${errorText(err)}`);
      return false;
    }
  }

  /** Empties the queue and cancels the job in flight; states stay as they are. */
  cancelAll(): void {
    this.queue.clear();
    this.current?.controller.abort();
  }

  /** Forgets every state (a reopened run starts over). */
  reset(): void {
    this.cancelAll();
    this.states.clear();
  }

  /** Ends for good: nothing more is taken from the queue. */
  stop(): void {
    this.stopped = true;
    this.cancelAll();
    this.deps.turns?.withdraw(this.taker);
  }

  progress(total: number): ScoringProgress {
    let done = 0;
    let failed = 0;
    for (const s of this.states.values()) {
      if (s.state === 'done') done++;
      else if (s.state === 'failed') failed++;
    }
    const c = this.current;
    const entry = c ? this.deps.entry(c.path) : undefined;
    return {
      done,
      failed,
      // The snapshot counts these: the claims are the session's to read, not the loop's.
      elsewhere: 0,
      total,
      current: c && entry ? { path: c.path, step: entry.step, samples: c.samples, totalSamples: c.totalSamples } : null,
      tokensPerSecond: this.tokensPerSecond,
      provider: this.provider,
    };
  }

  /** Starts draining the queue in the background unless it already is (or trust is missing). */
  pump(opened: OpenedRun): void {
    if (this.pumping || this.stopped) return;
    if (!this.deps.isTrusted()) {
      if (this.queue.size > 0) this.deps.changed();
      return;
    }
    this.pumping = this.drain(opened).finally(() => {
      this.pumping = null;
      this.current = null;
      this.deps.changed();
      this.deps.drained();
    });
  }

  /** Resolves when nothing is being drained. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async drain(opened: OpenedRun): Promise<void> {
    const turns = this.deps.turns;
    while (!this.stopped && this.queue.peek(this.eligible)) {
      // The checkpoint is taken once the turn is ours: a click while waiting still counts.
      if (turns && !(await turns.acquire(this.taker))) return;
      try {
        const item = this.stopped ? undefined : this.queue.take(this.eligible);
        if (!item) return;
        if (!this.deps.isTrusted()) {
          this.queue.add(item.path, item.step, item.reason === 'initial' ? 'arrived' : item.reason);
          return;
        }
        const entry = this.deps.entry(item.path);
        if (entry) await this.runJob(opened, entry);
      } finally {
        turns?.release(this.taker);
      }
    }
  }

  private async runJob(opened: OpenedRun, entry: CheckpointEntry): Promise<void> {
    const controller = new AbortController();
    const job: Job = { path: entry.path, controller, samples: 0, totalSamples: 0 };
    this.current = job;
    this.states.set(entry.path, { state: 'scoring' });
    this.deps.changed();
    try {
      const t0 = Date.now();
      const r = await opened.score(
        entry,
        (p) => {
          if (this.current !== job) return;
          job.samples = p.samplesDone;
          job.totalSamples = p.samplesTotal;
          this.tokensPerSecond = p.tokensPerSecond;
          if (p.provider) this.provider = p.provider;
          this.deps.changed();
        },
        controller.signal,
      );
      if (r.provider) this.provider = r.provider;
      this.states.set(entry.path, { state: 'done' });
      this.deps.log.info(
        'queue',
        `scored ${entry.path} in ${((Date.now() - t0) / 1000).toFixed(1)} s${r.provider ? ` on ${r.provider}` : ''}`,
      );
      this.deps.scored(entry);
    } catch (err) {
      const failure = err instanceof ScoreError ? err : asScoreError(err, { checkpoint: entry.path });
      if (controller.signal.aborted || failure.kind === 'cancelled') {
        // Whoever cancelled (removal, replacement, close) has set the state.
        if (this.states.get(entry.path)?.state === 'scoring') this.states.set(entry.path, { state: 'queued' });
        return;
      }
      this.states.set(entry.path, { state: 'failed', failure: failure.data });
      this.deps.log.error('queue', describeFailure({ ...failure.data, checkpoint: entry.path }));
    } finally {
      if (this.current === job) this.current = null;
    }
  }
}
