// One open run in the extension: its lifecycle (open, reopen when coverage.json or the eval set
// changes, close), which checkpoints exist (rescans on watcher batches, and again once files being
// written have settled), and the snapshot the tree, status bar and panel show. Parts: the scoring
// loop (scoringLoop.ts), the report scheduler (reportScheduler.ts), other processes' work in the
// store (otherScorers.ts). No vscode here; callers never await a whole pass.
import { basename } from 'node:path';
import { DEFAULT_SELECTION_N } from '../core/defaults';
import { DEFAULT_SETTLE_MS } from '../core/layout';
import type { CheckpointEntry } from '../core/types';
import type { InspectData, RunSnapshot } from '../shared/protocol';
import { errorText } from '../shared/rpc';
import type { OpenedRun, RunReport, SessionDeps } from './engine';
import { Disposable, toDisposable } from './disposable';
import { OtherScorers } from './otherScorers';
import { ReportScheduler } from './reportScheduler';
import { Delayed, Throttle } from './throttle';
import { alreadyStored, rescoreAll } from './rescore';
import { ScoringLoop } from './scoringLoop';
import { buildSnapshot } from './snapshot';
import { checkpointFiles, diffCheckpoints, type WatchBatch } from './watchEvents';

export class RunSession extends Disposable {
  readonly runName: string;
  private opened: OpenedRun | undefined;
  private entries = new Map<string, CheckpointEntry>();
  private problems: string[] = [];
  private error: string | null = null;
  private version = 0;
  private inspecting: string | null = null;
  /** Files still being written get no further watcher event once they settle: a rescan then. */
  private readonly settleRescan: Delayed;
  private readonly publisher: Throttle;
  private readonly listeners = new Set<(s: RunSnapshot) => void>();
  private readonly others: OtherScorers;
  private readonly loop: ScoringLoop;
  private readonly reports: ReportScheduler;
  /** Settles once a disposed session's run is closed and its last job has settled. */
  private closed: Promise<void> = Promise.resolve();

  constructor(
    readonly root: string,
    private readonly deps: SessionDeps,
  ) {
    super();
    this.runName = basename(root);
    this.others = this._register(new OtherScorers(deps.log, deps.claimPollMs ?? 5000, () => void this.handleStoreChange()));
    this.loop = new ScoringLoop({
      log: deps.log,
      isTrusted: deps.isTrusted,
      entry: (path) => this.entries.get(path),
      changed: () => this.changed(),
      scored: () => this.reports.schedule(),
      // The last scores of a pass go into the report now, not after the throttle's interval.
      drained: () => void this.reports.flush(),
      heldElsewhere: (path) => this.others.held.has(path),
      turns: deps.turns,
    });
    this.reports = new ReportScheduler({
      build: async () => (this.opened ? this.opened.report([...this.entries.values()]) : null),
      changed: () => this.changed(),
      logError: (m) => deps.log.error('report', m),
      minIntervalMs: deps.reportIntervalMs ?? 1000,
    });
    this.settleRescan = this._register(
      new Delayed(() => void this.rescan(new Map(), false), (deps.settleMs ?? DEFAULT_SETTLE_MS) + SETTLE_MARGIN_MS),
    );
    this.publisher = this._register(new Throttle(() => this.publish(), deps.publishIntervalMs ?? 100));
    this._register(toDisposable(() => this.listeners.clear()));
    this._register(
      toDisposable(() => {
        // The worker ends with the run; close() logs what it cannot do. The loop has stopped by now
        // (disposed first), so its idle() is the job in flight settling. disposeAndWait() returns this.
        this.closed = Promise.all([this.opened ? this.close(this.opened) : undefined, this.loop.idle()]).then(() => undefined);
      }),
    );
    this._register(this.reports);
    this._register(toDisposable(() => this.loop.stop()));
  }

  /**
   * dispose(), then resolves once the run is closed (its worker gone) and the job in flight has
   * settled (its claim released), for a caller that must know (a test, a shutdown). Never rejects;
   * calling it again, or after dispose(), waits for the same.
   */
  disposeAndWait(): Promise<void> {
    this.dispose();
    return this.closed;
  }

  onDidChange(listener: (s: RunSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get openedRun(): OpenedRun | undefined {
    return this.opened;
  }

  /** The latest report over the checkpoints scored so far (null until the first is built). */
  get report(): RunReport | null {
    return this.reports.report;
  }

  /** Opens (or reopens, after coverage.json or the eval set changed) and queues what is not scored. */
  async open(): Promise<void> {
    this.loop.cancelAll();
    const old = this.opened;
    this.opened = undefined;
    // The old worker ends before the reopened run starts its own.
    if (old) await this.close(old);
    this.error = null;
    let opened: OpenedRun;
    try {
      opened = await this.deps.engine.open(
        this.root,
        this.deps.settings,
        {
          onWorkerCrash: (n) => {
            this.deps.log.warn('worker', n.message);
            if (n.tellUser) this.deps.notifyUser?.(n.message);
          },
        },
        { settleMs: this.deps.settleMs },
      );
    } catch (err) {
      this.error = errorText(err);
      this.deps.log.error('session', `cannot open ${this.root}: ${this.error}`);
      this.changed();
      return;
    }
    // Closed while it opened: nobody else would end this run's worker.
    if (this.isDisposed) return this.close(opened);
    this.opened = opened;
    this.entries.clear();
    this.others.reset();
    this.loop.reset();
    this.reports.reset();
    await this.others.refresh(opened, () => opened === this.opened);
    await this.rescan(new Map(), true);
  }

  /**
   * The run's store changed: another process claimed or released a checkpoint, or stored scores
   * (`scores`: the score files added or changed, when the watcher knows them). Stored results
   * are read and their checkpoints marked done; a claim released without a result is ours to
   * score again.
   */
  async handleStoreChange(scores?: ReadonlySet<string>): Promise<void> {
    const opened = this.opened;
    if (!opened || this.isDisposed) return;
    await this.others.refresh(opened, () => opened === this.opened);
    if (scores === undefined || scores.size > 0) {
      const waiting = [...this.entries.values()].filter((e) => {
        const s = this.loop.status(e.path)?.state;
        return s !== 'done' && s !== 'scoring';
      });
      const stored = await this.others.storedByOthers(opened, waiting, scores);
      if (opened !== this.opened) return;
      for (const path of stored) {
        this.deps.log.info('store', `${path}: scored by another process`);
        this.loop.markStored(path);
      }
      if (stored.length) this.reports.schedule();
    }
    this.changed();
    this.loop.pump(opened);
  }

  /** Applies one coalesced batch of file-system changes. */
  async handleBatch(batch: WatchBatch): Promise<void> {
    if (this.isDisposed) return;
    if (batch.config || batch.eval) {
      this.deps.log.info('watch', `${batch.config ? 'coverage.json' : 'the eval set'} changed: reopening the run`);
      await this.open();
      return;
    }
    if (batch.checkpoints.size > 0) await this.rescan(batch.checkpoints, false);
  }

  /** Moves a checkpoint to the front of the queue (the user clicked it). */
  prioritize(path: string): void {
    if (this.loop.prioritize(path)) this.changed();
  }

  /** Forgets stored scores and scores every checkpoint again. */
  async rescore(): Promise<void> {
    const opened = this.opened;
    if (!opened) return this.open();
    await rescoreAll(this.loop, opened, [...this.entries.values()], this.deps.log);
    this.reports.reset();
    this.changed();
    this.loop.pump(opened);
  }

  /** Trust was granted (or scoring was otherwise unblocked): start the queue. */
  resume(): void {
    this.changed();
    if (this.opened) this.loop.pump(this.opened);
  }

  async inspect(path: string): Promise<InspectData> {
    if (!this.opened) throw new Error(this.error ?? 'the run is not open');
    if (!this.entries.has(path)) throw new Error(`${path} is not a checkpoint of ${this.root}`);
    this.inspecting = path;
    this.prioritize(path);
    return { ...(await this.opened.inspect([...this.entries.values()], path)), run: this.root, runName: this.runName };
  }

  snapshot(): RunSnapshot {
    const o = this.opened;
    return buildSnapshot({
      version: this.version,
      runName: this.runName,
      runPath: this.root,
      entries: [...this.entries.values()],
      states: this.loop.statuses,
      elsewhere: this.others.held,
      report: this.reports.report,
      tokensPerStep: o?.tokensPerStep ?? null,
      nGrid: o?.nGrid ?? [],
      selectionN: o?.selectionN ?? DEFAULT_SELECTION_N,
      progress: this.loop.progress(this.entries.size),
      problems: [...(o?.problems ?? []), ...this.problems],
      error: this.error,
      awaitingTrust: !this.deps.isTrusted() && this.loop.queue.size > 0,
      maxChartPoints: this.deps.settings.maxChartPoints,
      inspecting: this.inspecting,
    });
  }

  /** Resolves when the queue is empty, no job or report is running and the listeners have the last snapshot (tests, CLI-like use). */
  async idle(): Promise<void> {
    do {
      await this.loop.idle();
      await this.reports.flush();
    } while (this.loop.busy);
    this.publisher.flush();
  }

  /** Ends an opened run without ever leaving a rejection unhandled: whatever it does not log itself goes to the session's log. */
  private async close(opened: OpenedRun): Promise<void> {
    try {
      await opened.dispose();
    } catch (err) {
      this.deps.log.error('session', `cannot close ${this.root}: ${errorText(err)}`);
    }
  }

  private async rescan(touched: WatchBatch['checkpoints'], initial: boolean): Promise<void> {
    const opened = this.opened;
    if (!opened) return;
    let scan;
    try {
      scan = await opened.scan();
    } catch (err) {
      this.error = errorText(err);
      this.deps.log.error('scan', this.error);
      this.changed();
      return;
    }
    if (opened !== this.opened || this.isDisposed) return;
    this.problems = scan.problems;
    if (scan.pending?.length) this.settleRescan.request();
    const files = (e: CheckpointEntry) => checkpointFiles(this.root, e);
    const diff = diffCheckpoints([...this.entries.values()].map(files), scan.checkpoints.map(files), touched);
    this.entries = new Map(scan.checkpoints.map((e) => [e.path, e]));
    for (const path of diff.removed) {
      this.deps.log.info('watch', `checkpoint removed: ${path}`);
      this.loop.forget(path);
    }
    const fresh: CheckpointEntry[] = [];
    for (const path of [...diff.added, ...diff.replaced]) {
      const e = this.entries.get(path)!;
      if (!initial) this.deps.log.info('watch', `checkpoint ${diff.replaced.includes(path) ? 'replaced' : 'arrived'}: ${path}`);
      this.loop.cancelIfCurrent(path);
      if (!initial || !(await alreadyStored(opened, e, this.deps.log))) fresh.push(e);
      else this.loop.markDone(path);
    }
    this.loop.enqueue(fresh, initial ? 'initial' : 'arrived');
    this.reports.schedule();
    this.changed();
    this.loop.pump(opened);
  }

  /** Something the snapshot shows changed: the listeners get it within the publishing interval. */
  private changed(): void {
    if (this.isDisposed) return;
    this.version++;
    this.publisher.request();
  }

  private publish(): void {
    if (this.isDisposed) return;
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }
}

/** Looked again this long after the settle time, so the files are past it by the scanner's clock too. */
const SETTLE_MARGIN_MS = 500;
