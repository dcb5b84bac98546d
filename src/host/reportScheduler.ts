// When the session rebuilds its report. Every stored score changes the report, but rebuilding
// it for each of hundreds of small checkpoints (and sending each result to the panel) would cost
// more than the scoring: builds never overlap, a burst of requests collapses into one more
// build, and while scores keep arriving a build starts at most once per `minIntervalMs`, and no
// sooner than BUILD_SHARE_INVERSE times the last build's duration after it started, so that
// rebuilding takes at most about a tenth of the time however large the run grows.
// `flush()` builds what is pending at once (the queue went idle, a test waits for the result).
import { errorText } from '../shared/rpc';
import type { RunReport } from './engine';

export interface ReportSchedulerDeps<T> {
  /** Builds the report over the checkpoints scored so far. */
  build: () => Promise<T | null>;
  /** A new report is in (or a build failed and was logged). */
  changed: () => void;
  logError: (message: string) => void;
  /** Least time between the starts of two builds while scores stream in. */
  minIntervalMs: number;
}

/** A build may take about 1/BUILD_SHARE_INVERSE of the time while scores stream in. */
const BUILD_SHARE_INVERSE = 10;

export class ReportScheduler<T = RunReport> {
  private latest: T | null = null;
  private running: Promise<void> | null = null;
  private pending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastStart = -Infinity;
  private lastDuration = 0;
  /** Bumped by reset(): a build started before it is not kept. */
  private generation = 0;

  constructor(private readonly deps: ReportSchedulerDeps<T>) {}

  get report(): T | null {
    return this.latest;
  }

  /** Asks for a build over the current scores; it runs now, after the one running, or after the interval. */
  schedule(): void {
    this.pending = true;
    if (this.running || this.timer) return;
    const wait = this.lastStart + Math.max(this.deps.minIntervalMs, BUILD_SHARE_INVERSE * this.lastDuration) - Date.now();
    if (wait > 0) this.timer = setTimeout(() => this.start(), wait);
    else this.start();
  }

  /** Builds what is pending now, without waiting out the interval; resolves when no build runs or waits. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.timer) this.start();
      if (this.running) await this.running;
      else if (this.pending) this.start();
      else return;
    }
  }

  /** Drops the report and anything pending (the run was reopened or rescored). */
  reset(): void {
    this.generation++;
    this.latest = null;
    this.pending = false;
    this.clearTimer();
  }

  dispose(): void {
    this.reset();
  }

  private start(): void {
    this.clearTimer();
    if (this.running || !this.pending) return;
    this.pending = false;
    this.lastStart = Date.now();
    const generation = this.generation;
    this.running = (async () => {
      try {
        const r = await this.deps.build();
        if (generation === this.generation) this.latest = r;
      } catch (err) {
        this.deps.logError(errorText(err));
      }
      this.lastDuration = Date.now() - this.lastStart;
      if (generation === this.generation) this.deps.changed();
    })().finally(() => {
      this.running = null;
      if (this.pending) this.schedule();
    });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
