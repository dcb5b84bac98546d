// What other processes (the CLI in a terminal, cluster tasks, other windows) are doing with an
// open run's store: the checkpoints they claim, read from the store's locks, and the results they
// stored. The session asks this on every store change; while anything is claimed elsewhere it also
// looks again now and then, since a holder that dies leaves its lock file as it was and no watcher
// event says it is gone.
import type { CheckpointEntry } from '../core/types';
import type { ScoringElsewhere } from '../shared/protocol';
import { errorText } from '../shared/rpc';
import { Disposable, toDisposable } from './disposable';
import type { OpenedRun } from './engine';
import type { SessionLog } from './sessionLog';

export class OtherScorers extends Disposable {
  /** Checkpoints other processes are scoring now, by path. */
  private claimed: ReadonlyMap<string, ScoringElsewhere> = new Map();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly log: SessionLog,
    private readonly pollMs: number,
    private readonly lookAgain: () => void,
  ) {
    super();
    this._register(toDisposable(() => clearTimeout(this.timer)));
  }

  get held(): ReadonlyMap<string, ScoringElsewhere> {
    return this.claimed;
  }

  /** Forgets every claim (the run was reopened). */
  reset(): void {
    this.claimed = new Map();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads the claims again; `current` says whether `opened` is still the session's run. */
  async refresh(opened: OpenedRun, current: () => boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const held = await opened.elsewhere();
      if (current()) this.claimed = held;
    } catch (err) {
      this.log.warn('store', `cannot read the store's claims: ${errorText(err)}`);
    }
    if (this.claimed.size > 0 && !this.isDisposed) this.timer = setTimeout(this.lookAgain, this.pollMs);
  }

  /**
   * Of the checkpoints this session has not scored yet, those whose results another process
   * stored (only those whose score file is among `files`, when the watcher named them).
   */
  async storedByOthers(opened: OpenedRun, waiting: readonly CheckpointEntry[], files?: ReadonlySet<string>): Promise<string[]> {
    try {
      return await opened.storedNow(waiting, files);
    } catch (err) {
      this.log.warn('store', `cannot read scores other processes stored: ${errorText(err)}`);
      return [];
    }
  }
}
