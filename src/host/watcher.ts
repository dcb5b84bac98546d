// Watches a run folder with chokidar and hands coalesced batches to the session.
// awaitWriteFinish holds a file's events until its size has been stable for a while, so a
// checkpoint copied in pieces arrives once, complete. On network file systems inotify does
// not see writes made by other machines (the trainer), so there we poll.
import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import { Disposable, toDisposable } from './disposable';
import { coalesce, isEmptyBatch, type ClassifyOptions, type RawEvent, type RawEventKind, type WatchBatch } from './watchEvents';
import { fsTypeOf, isNetworkFsType, parseMounts } from './netfs';
import type { PollingMode } from '../core/settings';

export interface PollingDecision {
  poll: boolean;
  why: string;
}

export async function decidePolling(root: string, mode: PollingMode): Promise<PollingDecision> {
  if (mode === 'always') return { poll: true, why: 'the polling setting is "always"' };
  if (mode === 'never') return { poll: false, why: 'the polling setting is "never"' };
  if (process.platform !== 'linux') return { poll: false, why: `auto: no mount table on ${process.platform}` };
  try {
    const type = fsTypeOf(root, parseMounts(await readFile('/proc/mounts', 'utf8')));
    return isNetworkFsType(type)
      ? { poll: true, why: `auto: ${root} is on ${type}` }
      : { poll: false, why: `auto: ${root} is on ${type ?? 'an unknown file system'}` };
  } catch (err) {
    return { poll: false, why: `auto: cannot read /proc/mounts (${(err as Error).message})` };
  }
}

export interface RunWatcherOptions extends ClassifyOptions {
  poll: boolean;
  /** Quiet time after the last event before a batch is handed over. */
  debounceMs?: number;
  /** How long a file's size must stay unchanged before its events count. */
  stableMs?: number;
  onError?: (message: string) => void;
}

export class RunWatcher extends Disposable {
  private readonly watcher: FSWatcher;
  private events: RawEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: string,
    private readonly options: RunWatcherOptions,
    private readonly onBatch: (b: WatchBatch) => void,
  ) {
    super();
    const store = options.storeDir ?? '.coverage';
    this.watcher = watch(root, {
      ignoreInitial: true,
      persistent: true,
      usePolling: options.poll,
      interval: 2000,
      binaryInterval: 3000,
      followSymlinks: false,
      // The store changes whenever a score is written; watching it would feed back into a rescan.
      ignored: (p: string) => {
        const rel = relative(root, p);
        return rel === store || rel.startsWith(store + '/') || /(^|\/)(\.git|node_modules)(\/|$)/.test(rel);
      },
      awaitWriteFinish: { stabilityThreshold: options.stableMs ?? 2000, pollInterval: 250 },
    });
    for (const kind of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as RawEventKind[]) {
      this.watcher.on(kind, (p: string) => this.push(kind, p));
    }
    this.watcher.on('error', (err: unknown) => options.onError?.(`watching ${root}: ${(err as Error).message ?? String(err)}`));
    // A watcher that fails to close has nothing left to report to.
    this._register(toDisposable(() => this.watcher.close().catch(() => undefined)));
    this._register(toDisposable(() => clearTimeout(this.timer)));
  }

  private push(kind: RawEventKind, abs: string): void {
    this.events.push({ kind, path: relative(this.root, abs) });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? 500);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = coalesce(this.events.splice(0), this.options);
    if (!isEmptyBatch(batch)) this.onBatch(batch);
  }
}

function relative(root: string, abs: string): string {
  const r = abs.startsWith(root) ? abs.slice(root.length).replace(/^[\\/]+/, '') : abs;
  return r.replace(/\\/g, '/');
}
