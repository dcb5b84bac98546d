// At most one call per interval: at once when the last call is older than the interval, else once
// when it has passed, with whatever was asked for meanwhile. The session's snapshots, the panel's
// messages and the tree's redraws all go through one of these: a run of hundreds of checkpoints
// changes many times a second, and each change costs a line per checkpoint to send and draw.
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  constructor(private readonly fn: () => void, private readonly intervalMs: () => number) {}

  request(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs() - Date.now();
    if (wait > 0) this.timer = setTimeout(() => this.run(), wait);
    else this.run();
  }

  /** Runs what is waiting now. */
  flush(): void {
    if (this.timer) this.run();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = Date.now();
    this.fn();
  }
}
