// The session's scoring loop: each checkpoint's state (queued, scoring, done, failed and why),
// the queue in the order the user should see results, the job in flight and its progress, and
// while jobs are short one taken ahead (`ahead`). It runs in the background (`pump()` returns at
// once) and never retries: the worker client has already restarted a worker that died and run the
// job again on smaller budgets (never twice on one).
import { ScoreError, asScoreError, describeFailure, type ScoreErrorData } from '../core/scoreError';
import type { CheckpointEntry } from '../core/types';
import type { CheckpointState, ScoringProgress } from '../shared/protocol';
import type { OpenedRun } from './engine';
import { ScoreQueue, type QueuedItem } from './queueOrder';
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
  /** A job is taken ahead only after one that took less than this (default LOOKAHEAD_MAX_MS). */
  lookaheadMaxMs?: number;
}

interface Job {
  item: QueuedItem;
  controller: AbortController;
  samples: number;
  totalSamples: number;
  /** Settles once its state is set and its claim released (`settled` then says so); set as it starts. */
  done?: Promise<void>;
  settled: boolean;
  /** When it became the running job (0: not yet). */
  startedAt: number;
}

/**
 * Jobs shorter than this (tiny checkpoints: the time goes into the host's own work per job) get the
 * next one queued behind them in the worker client. Longer ones do not: a job taken ahead holds its
 * checkpoint's claim in the store, which another scorer (a terminal, a cluster task) would wait on.
 */
export const LOOKAHEAD_MAX_MS = 2000;

export class ScoringLoop {
  readonly queue = new ScoreQueue();
  private readonly states = new Map<string, CheckpointStatus>();
  private current: Job | null = null;
  /** Queued in the worker client behind `current`, so the worker goes on to it at once; shown as queued, and a click or an arrival takes it back. */
  private ahead: Job | null = null;
  private lastJobMs = Infinity;
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
    if (reason === 'arrived' && entries.length > 0) this.withdrawAhead();
  }

  /** The checkpoint left the run: out of the queue, its job (if running) cancelled. */
  forget(path: string): void {
    this.cancelIfCurrent(path);
    this.queue.remove(path);
    this.states.delete(path);
  }

  /** Moves a checkpoint to the front of the queue (the user clicked it); true when it moved. */
  prioritize(path: string): boolean {
    if (this.ahead?.item.path === path) return false;
    const moved = this.queue.promote(path);
    if (moved) this.withdrawAhead();
    return moved;
  }

  /** Cancels the job of this checkpoint, running or taken ahead. */
  cancelIfCurrent(path: string): void {
    for (const job of [this.current, this.ahead]) if (job?.item.path === path) job.controller.abort();
  }

  /** The job taken ahead goes back to the queue, in its place, before it runs. */
  private withdrawAhead(): void {
    const job = this.ahead;
    if (!job || job.settled || job.controller.signal.aborted) return;
    job.controller.abort();
    this.queue.putBack(job.item);
  }

  /** Empties the queue and cancels the jobs in flight; states stay as they are. */
  cancelAll(): void {
    this.queue.clear();
    this.current?.controller.abort();
    this.ahead?.controller.abort();
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
    const entry = c ? this.deps.entry(c.item.path) : undefined;
    return {
      done,
      failed,
      // The snapshot counts these: the claims are the session's to read, not the loop's.
      elsewhere: 0,
      total,
      current: c && entry ? { path: c.item.path, step: entry.step, samples: c.samples, totalSamples: c.totalSamples } : null,
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
      this.ahead = null;
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
        // Trust withdrawn: the queue waits as it is until pump() runs again.
        if (!this.deps.isTrusted()) return;
        let job = this.take(opened, false);
        while (job) {
          // Another run waiting for the worker gets it after this job, not after one taken ahead.
          const ahead = this.lastJobMs < (this.deps.lookaheadMaxMs ?? LOOKAHEAD_MAX_MS) && !turns?.queued ? this.take(opened, true) : null;
          await job.done;
          if (!ahead) break;
          this.ahead = null;
          if (ahead.controller.signal.aborted) {
            // Withdrawn or cancelled before it ran: its claim is released once it settles.
            await ahead.done;
            break;
          }
          // It may have ended already without the worker (another scorer stored it, or it failed early).
          if (!ahead.settled) this.begin(ahead);
          job = ahead;
        }
      } finally {
        turns?.release(this.taker);
      }
    }
  }

  /** Takes the next checkpoint and starts its job (`ahead`: queued behind the running one); null when there is none to take now. */
  private take(opened: OpenedRun, ahead: boolean): Job | null {
    if (this.stopped || !this.deps.isTrusted()) return null;
    const item = this.queue.take(this.eligible);
    if (!item) return null;
    const entry = this.deps.entry(item.path);
    if (!entry) return null;
    const job: Job = { item, controller: new AbortController(), samples: 0, totalSamples: 0, settled: false, startedAt: 0 };
    if (ahead) this.ahead = job;
    else this.begin(job);
    job.done = this.runJob(opened, entry, job);
    return job;
  }

  /** The job becomes the running one: the snapshot shows it scoring. */
  private begin(job: Job): void {
    this.current = job;
    job.startedAt = Date.now();
    this.states.set(job.item.path, { state: 'scoring' });
    this.deps.changed();
  }

  private async runJob(opened: OpenedRun, entry: CheckpointEntry, job: Job): Promise<void> {
    const { controller } = job;
    try {
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
      // A job taken ahead can end before its turn comes (another scorer stored the checkpoint).
      const ms = job.startedAt > 0 ? Date.now() - job.startedAt : null;
      if (ms !== null) this.lastJobMs = ms;
      this.states.set(entry.path, { state: 'done' });
      const took = ms !== null ? ` in ${(ms / 1000).toFixed(1)} s` : '';
      this.deps.log.info('queue', `scored ${entry.path}${took}${r.provider ? ` on ${r.provider}` : ''}`);
      this.deps.scored(entry);
    } catch (err) {
      const failure = err instanceof ScoreError ? err : asScoreError(err, { checkpoint: entry.path });
      if (controller.signal.aborted || failure.kind === 'cancelled') {
        // Whoever cancelled (removal, replacement, close, a withdrawal) has set the state.
        if (this.states.get(entry.path)?.state === 'scoring') this.states.set(entry.path, { state: 'queued' });
        return;
      }
      this.lastJobMs = Infinity;
      this.states.set(entry.path, { state: 'failed', failure: failure.data });
      this.deps.log.error('queue', describeFailure({ ...failure.data, checkpoint: entry.path }));
    } finally {
      job.settled = true;
      if (this.current === job) this.current = null;
    }
  }
}
