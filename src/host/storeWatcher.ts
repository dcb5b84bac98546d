// Watches a run's store for other processes' work (the CLI in a terminal, a cluster task, another
// window). Every scorer takes a claim before it scores, a lock file `<store>/locks/<score file>.lock`,
// and removes it once the score file is in place, so the locks folder alone says what started and
// what was stored, and it holds a file per scorer at work, not one per checkpoint. (Watching the
// scores folder with chokidar re-read its hundreds of files on every write: it doubled the time a
// 400-checkpoint run took to score.) The run watcher ignores the store on purpose: our own writes
// would feed back into rescans.
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Disposable, toDisposable } from './disposable';
import { Throttle } from './throttle';

export interface StoreWatcherOptions {
  /** Poll the folder instead of native events (network file systems: other machines' writes raise none). */
  poll: boolean;
  /** How often a polled folder is listed. */
  pollMs?: number;
  /** Least time between two reports while claims keep changing (our own scoring makes them too). */
  intervalMs?: number;
  onError?: (message: string) => void;
}

/** Score files (names) whose claims came or went since the last report: those may be stored now. */
export type StoreChange = ReadonlySet<string>;

const LOCK = '.lock';

export class StoreWatcher extends Disposable {
  private scores = new Set<string>();
  private readonly report: Throttle;

  private constructor(
    private readonly options: StoreWatcherOptions,
    private readonly onChange: (c: StoreChange) => void,
  ) {
    super();
    this.report = this._register(new Throttle(() => this.flush(), options.intervalMs ?? 300));
  }

  /** Starts watching `<store>/locks`, creating it when the store is new. */
  static async start(store: string, options: StoreWatcherOptions, onChange: (c: StoreChange) => void): Promise<StoreWatcher> {
    const w = new StoreWatcher(options, onChange);
    const locks = join(store, 'locks');
    await mkdir(locks, { recursive: true });
    if (options.poll) w.poll(locks);
    else {
      const watcher: FSWatcher = watch(locks, (_event, name) => w.push(name ?? ''));
      watcher.on('error', (err) => options.onError?.(`watching ${locks}: ${err.message}`));
      w._register(toDisposable(() => watcher.close()));
    }
    return w;
  }

  /** Lists the folder now and then; a lock that came or went is reported like a native event. */
  private poll(locks: string): void {
    let seen = new Set<string>();
    let listing = false;
    const look = async (): Promise<void> => {
      if (listing || this.isDisposed) return;
      listing = true;
      try {
        const now = new Set(await readdir(locks));
        for (const n of now) if (!seen.has(n)) this.push(n);
        for (const n of seen) if (!now.has(n)) this.push(n);
        seen = now;
      } catch (err) {
        this.options.onError?.(`listing ${locks}: ${(err as Error).message}`);
      } finally {
        listing = false;
      }
    };
    void look();
    const interval = setInterval(() => void look(), this.options.pollMs ?? 2000);
    this._register(toDisposable(() => clearInterval(interval)));
  }

  private push(name: string): void {
    if (this.isDisposed) return;
    if (name.endsWith(LOCK)) this.scores.add(name.slice(0, -LOCK.length));
    this.report.request();
  }

  private flush(): void {
    const scores = this.scores;
    this.scores = new Set();
    this.onChange(scores);
  }
}
