// Watches a run's store for other processes' work: claims taken and released in `locks/`, score
// files written to `scores/` (by the CLI in a terminal, a cluster task, another window). The run
// watcher ignores the store on purpose (our own writes would feed back into rescans); this one
// only reports which score files arrived, and the session reads those it does not have yet.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { Disposable, toDisposable } from './disposable';

export interface StoreWatcherOptions {
  /** Poll instead of native events (network file systems, where other machines' writes raise none). */
  poll: boolean;
  /** Quiet time after the last event before the change is reported. */
  debounceMs?: number;
  onError?: (message: string) => void;
}

/** Score files (names) added or changed since the last report; empty when only claims changed. */
export type StoreChange = ReadonlySet<string>;

export class StoreWatcher extends Disposable {
  private watcher: FSWatcher | undefined;
  private scores = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(private readonly options: StoreWatcherOptions, private readonly onChange: (c: StoreChange) => void) {
    super();
    this._register(toDisposable(() => clearTimeout(this.timer)));
  }

  /** Starts watching `<store>/scores` and `<store>/locks`, creating them when the store is new. */
  static async start(store: string, options: StoreWatcherOptions, onChange: (c: StoreChange) => void): Promise<StoreWatcher> {
    const w = new StoreWatcher(options, onChange);
    const dirs = [join(store, 'scores'), join(store, 'locks')];
    await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
    const watcher = watch(dirs, { ignoreInitial: true, persistent: true, usePolling: options.poll, interval: 1000, depth: 0 });
    w.watcher = watcher;
    // A watcher that fails to close has nothing left to report to.
    w._register(toDisposable(() => watcher.close().catch(() => undefined)));
    for (const kind of ['add', 'change', 'unlink'] as const) watcher.on(kind, (p: string) => w.push(p));
    watcher.on('error', (err: unknown) => options.onError?.(`watching ${store}: ${(err as Error).message ?? String(err)}`));
    return w;
  }

  private push(path: string): void {
    if (this.isDisposed) return;
    const name = basename(path);
    // Complete score files only: writers rename a temporary file into place.
    if (basename(dirname(path)) === 'scores' && name.endsWith('.ccscores')) this.scores.add(name);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? 300);
  }

  private flush(): void {
    this.timer = undefined;
    const scores = this.scores;
    this.scores = new Set();
    this.onChange(scores);
  }
}
