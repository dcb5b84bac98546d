// One open run: which checkpoints exist, which are scored, what the worker does next, and
// the latest report. No vscode here: the tree, status bar and panel subscribe to changes,
// and the tests drive it with a fake engine. The host never awaits a whole scoring pass:
// `pump()` runs in the background and every caller returns at once.
import { basename } from 'node:path';
import { DEFAULT_SELECTION_N } from '../core/defaults';
import { runRelative } from '../core/paths';
import type { CheckpointEntry } from '../core/types';
import type { CheckpointState, InspectData, RunSnapshot, ScoringProgress } from '../shared/protocol';
import { ScoreFailure, type OpenedRun, type RunEngine, type RunReport } from './engine';
import { ScoreQueue } from './queueOrder';
import type { Settings } from './settings';
import { buildSnapshot } from './snapshot';
import { diffCheckpoints, type WatchBatch } from './watchEvents';
import { errorText } from '../shared/rpc';

export interface SessionLog {
  info(component: string, message: string): void;
  warn(component: string, message: string): void;
  error(component: string, message: string): void;
}

export interface SessionDeps {
  engine: RunEngine;
  settings: Settings;
  log: SessionLog;
  /** Workspace trust: nothing is scored while this is false. */
  isTrusted: () => boolean;
  /** Short messages worth a notification (a crashed worker, once per streak); details go to the log. */
  notifyUser?: (message: string) => void;
}

interface Current {
  path: string;
  controller: AbortController;
  samples: number;
  totalSamples: number;
}

export class RunSession {
  readonly runName: string;
  private opened: OpenedRun | undefined;
  private entries = new Map<string, CheckpointEntry>();
  private readonly states = new Map<string, { state: CheckpointState; reason?: string }>();
  private readonly queue = new ScoreQueue();
  private report: RunReport | null = null;
  private problems: string[] = [];
  private error: string | null = null;
  private current: Current | null = null;
  private tokensPerSecond: number | null = null;
  private provider: string | null = null;
  private version = 0;
  private pumping = false;
  private disposed = false;
  private reportRun: Promise<void> | null = null;
  private reportDirty = false;
  private inspecting: string | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(s: RunSnapshot) => void>();

  constructor(readonly root: string, private readonly deps: SessionDeps) {
    this.runName = basename(root);
  }

  onDidChange(listener: (s: RunSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get openedRun(): OpenedRun | undefined {
    return this.opened;
  }

  /** Opens (or reopens, after coverage.json or the eval set changed) and queues what is not scored. */
  async open(): Promise<void> {
    this.cancelAll();
    const old = this.opened;
    this.opened = undefined;
    // The old worker ends before the reopened run starts its own.
    if (old) await this.close(old);
    this.error = null;
    let opened: OpenedRun;
    try {
      opened = await this.deps.engine.open(this.root, this.deps.settings, {
        onWorkerCrash: (n) => {
          this.deps.log.warn('worker', n.message);
          if (n.tellUser) this.deps.notifyUser?.(n.message);
        },
      });
    } catch (err) {
      this.error = errorText(err);
      this.deps.log.error('session', `cannot open ${this.root}: ${this.error}`);
      this.changed();
      return;
    }
    // Closed while it opened: nobody else would end this run's worker.
    if (this.disposed) return this.close(opened);
    this.opened = opened;
    this.entries.clear();
    this.states.clear();
    this.report = null;
    await this.rescan(new Map(), true);
  }

  /** Applies one coalesced batch of file-system changes. */
  async handleBatch(batch: WatchBatch): Promise<void> {
    if (this.disposed) return;
    if (batch.config || batch.eval) {
      this.deps.log.info('watch', `${batch.config ? 'coverage.json' : 'the eval set'} changed: reopening the run`);
      await this.open();
      return;
    }
    if (batch.checkpoints.size > 0) await this.rescan(batch.checkpoints, false);
  }

  /** Moves a checkpoint to the front of the queue (the user clicked it). */
  prioritize(path: string): void {
    if (this.queue.promote(path)) this.changed();
  }

  /** Forgets stored scores and scores every checkpoint again. */
  async rescore(): Promise<void> {
    const opened = this.opened;
    if (!opened) return this.open();
    this.cancelAll();
    const queued: CheckpointEntry[] = [];
    for (const e of this.entries.values()) {
      try {
        await opened.invalidate(e);
        this.states.set(e.path, { state: 'queued' });
        queued.push(e);
      } catch (err) {
        // Its old scores may still be on disk: scoring it now would only read them back.
        this.states.set(e.path, { state: 'failed', reason: `cannot rescore: ${errorText(err)}` });
        this.deps.log.error('rescore', `${e.path}: ${errorText(err)}`);
      }
    }
    this.report = null;
    this.queue.addInitial(queued);
    this.changed();
    this.pump();
  }

  /** Trust was granted (or scoring was otherwise unblocked): start the queue. */
  resume(): void {
    this.changed();
    this.pump();
  }

  async inspect(path: string): Promise<InspectData> {
    if (!this.opened) throw new Error(this.error ?? 'the run is not open');
    if (!this.entries.has(path)) throw new Error(`${path} is not a checkpoint of ${this.root}`);
    this.inspecting = path;
    this.prioritize(path);
    return this.opened.inspect([...this.entries.values()], path);
  }

  entry(path: string): CheckpointEntry | undefined {
    return this.entries.get(path);
  }

  snapshot(): RunSnapshot {
    const o = this.opened;
    return buildSnapshot({
      version: this.version,
      runName: this.runName,
      runPath: this.root,
      entries: [...this.entries.values()],
      states: this.states,
      report: this.report,
      tokensPerStep: o?.tokensPerStep ?? null,
      nGrid: o?.nGrid ?? [],
      selectionN: o?.selectionN ?? DEFAULT_SELECTION_N,
      progress: this.progress(),
      problems: [...(o?.problems ?? []), ...this.problems],
      error: this.error,
      awaitingTrust: !this.deps.isTrusted() && this.queue.size > 0,
      maxChartPoints: this.deps.settings.maxChartPoints,
      inspecting: this.inspecting,
    });
  }

  /** Resolves when the queue is empty and no job or report is running (tests, CLI-like use). */
  async idle(): Promise<void> {
    while (this.pumping || this.reportRun) {
      await (this.reportRun ?? new Promise((r) => setTimeout(r, 5)));
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.cancelAll();
    if (this.opened) void this.close(this.opened);
    this.listeners.clear();
  }

  /** Ends an opened run without ever leaving a rejection unhandled: whatever it does not log itself goes to the session's log. */
  private async close(opened: OpenedRun): Promise<void> {
    try {
      await opened.dispose();
    } catch (err) {
      this.deps.log.error('session', `cannot close ${this.root}: ${errorText(err)}`);
    }
  }

  private progress(): ScoringProgress {
    let done = 0;
    let failed = 0;
    for (const s of this.states.values()) {
      if (s.state === 'done') done++;
      else if (s.state === 'failed') failed++;
    }
    const c = this.current;
    const entry = c ? this.entries.get(c.path) : undefined;
    return {
      done,
      failed,
      total: this.entries.size,
      current: c && entry ? { path: c.path, step: entry.step, samples: c.samples, totalSamples: c.totalSamples } : null,
      tokensPerSecond: this.tokensPerSecond,
      provider: this.provider,
    };
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
    if (opened !== this.opened || this.disposed) return;
    this.problems = scan.problems;
    if (scan.pending?.length && !this.settleTimer) {
      // Files still being written (by the scanner's own mtime rule) get no further watcher
      // event once they settle, so look again after the settle time.
      this.settleTimer = setTimeout(() => {
        this.settleTimer = undefined;
        void this.rescan(new Map(), false);
      }, 2500);
    }
    const files = (e: CheckpointEntry) => ({ path: e.path, step: e.step, files: [e.path, ...e.dataPaths.map((p) => runRelative(this.root, p) ?? p)] });
    const diff = diffCheckpoints([...this.entries.values()].map(files), scan.checkpoints.map(files), touched);
    this.entries = new Map(scan.checkpoints.map((e) => [e.path, e]));
    for (const path of diff.removed) {
      this.deps.log.info('watch', `checkpoint removed: ${path}`);
      this.cancelIfCurrent(path);
      this.queue.remove(path);
      this.states.delete(path);
    }
    const fresh: CheckpointEntry[] = [];
    for (const path of [...diff.added, ...diff.replaced]) {
      const e = this.entries.get(path)!;
      if (!initial) this.deps.log.info('watch', `checkpoint ${diff.replaced.includes(path) ? 'replaced' : 'arrived'}: ${path}`);
      this.cancelIfCurrent(path);
      if (!initial || !(await this.storedScores(opened, e))) fresh.push(e);
      else this.states.set(path, { state: 'done' });
    }
    if (initial) this.queue.addInitial(fresh);
    for (const e of fresh) {
      if (!initial) this.queue.add(e.path, e.step, 'arrived');
      this.states.set(e.path, { state: 'queued' });
    }
    this.scheduleReport();
    this.changed();
    this.pump();
  }

  /** Whether the store already holds this checkpoint's scores; a store that cannot be read means score it again, said in the log. */
  private async storedScores(opened: OpenedRun, e: CheckpointEntry): Promise<boolean> {
    try {
      return await opened.hasScores(e);
    } catch (err) {
      this.deps.log.warn('store', `cannot read the stored scores of ${e.path}, scoring it again: ${errorText(err)}`);
      return false;
    }
  }

  private pump(): void {
    if (this.pumping || this.disposed || !this.opened) return;
    if (!this.deps.isTrusted()) {
      if (this.queue.size > 0) this.changed();
      return;
    }
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      this.current = null;
      this.changed();
    });
  }

  private async drain(): Promise<void> {
    for (let item = this.queue.take(); item && !this.disposed; item = this.queue.take()) {
      if (!this.deps.isTrusted()) {
        this.queue.add(item.path, item.step, item.reason === 'initial' ? 'arrived' : item.reason);
        return;
      }
      const entry = this.entries.get(item.path);
      if (entry) await this.runJob(entry);
    }
  }

  /**
   * One attempt per job here: the worker client has already restarted a crashed worker and
   * retried once, so a job runs at most twice in all.
   */
  private async runJob(entry: CheckpointEntry): Promise<void> {
    const opened = this.opened!;
    const controller = new AbortController();
    this.current = { path: entry.path, controller, samples: 0, totalSamples: 0 };
    this.states.set(entry.path, { state: 'scoring' });
    this.changed();
    try {
      const t0 = Date.now();
      const r = await opened.score(entry, (p) => {
        if (this.current?.controller !== controller) return;
        this.current.samples = p.samplesDone;
        this.current.totalSamples = p.samplesTotal;
        this.tokensPerSecond = p.tokensPerSecond;
        if (p.provider) this.provider = p.provider;
        this.changed();
      }, controller.signal);
      if (r.provider) this.provider = r.provider;
      this.states.set(entry.path, { state: 'done' });
      this.deps.log.info('queue', `scored ${entry.path} in ${((Date.now() - t0) / 1000).toFixed(1)} s${r.provider ? ` on ${r.provider}` : ''}`);
      this.scheduleReport();
    } catch (err) {
      const failure = err instanceof ScoreFailure ? err : new ScoreFailure('error', errorText(err));
      if (controller.signal.aborted || failure.kind === 'cancelled') {
        // Whoever cancelled (removal, replacement, close) has set the state.
        if (this.states.get(entry.path)?.state === 'scoring') this.states.set(entry.path, { state: 'queued' });
        return;
      }
      this.states.set(entry.path, { state: 'failed', reason: failure.message });
      this.deps.log.error('queue', `${entry.path}: ${failure.message}`);
    } finally {
      if (this.current?.controller === controller) this.current = null;
    }
  }

  private cancelIfCurrent(path: string): void {
    if (this.current?.path === path) this.current.controller.abort();
  }

  private cancelAll(): void {
    this.queue.clear();
    this.current?.controller.abort();
  }

  /** Recomputes the report after scores arrive; bursts collapse into one more run. */
  private scheduleReport(): void {
    if (this.reportRun) {
      this.reportDirty = true;
      return;
    }
    const opened = this.opened;
    if (!opened) return;
    this.reportRun = (async () => {
      do {
        this.reportDirty = false;
        try {
          const r = await opened.report([...this.entries.values()]);
          if (opened === this.opened) this.report = r;
        } catch (err) {
          this.deps.log.error('report', errorText(err));
        }
        this.changed();
      } while (this.reportDirty && opened === this.opened && !this.disposed);
    })().finally(() => {
      this.reportRun = null;
    });
  }

  private changed(): void {
    if (this.disposed) return;
    this.version++;
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }
}
