// At most one call per interval: at once when the last call is older than the interval, else once
// when it has passed, with whatever was asked for meanwhile. The session's snapshots, the panel's
// messages and the tree's redraws all go through one of these: a run of hundreds of checkpoints
// changes many times a second, and each change costs a line per checkpoint to send and draw.
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  constructor(
    private readonly fn: () => void,
    /** A fixed interval, or one read at each request. */
    private readonly intervalMs: number | (() => number),
  ) {}

  request(): void {
    if (this.timer) return;
    const wait = this.last + (typeof this.intervalMs === 'number' ? this.intervalMs : this.intervalMs()) - Date.now();
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

/** One call a fixed time after it is asked for; asking again while one waits changes nothing. */
export class Delayed {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly fn: () => void,
    private readonly delayMs: number,
  ) {}

  request(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fn();
    }, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
