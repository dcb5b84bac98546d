// Whose checkpoint the one worker scores next when several runs are open. Every run's scoring
// loop asks for a turn before it takes its next checkpoint, and holds it while that job runs. The
// turn goes to the run whose next checkpoint is the most urgent by the queue's own reasons (one
// the user clicked, then one that arrived while the run was open, then the first pass), so a
// click in any run is scored next, whichever run it is in; among runs equally urgent it goes to
// the one whose last turn is oldest (round robin), so each run's first pass still goes coarse to
// fine and every run's curves span the whole run early, as one run's do. Pure: no timers, no I/O.
import { QUEUE_URGENCY, type QueueReason } from './queueOrder';

export interface TurnTaker {
  /** Why its next checkpoint is queued; undefined when it has none to score now. */
  next(): QueueReason | undefined;
}

interface Waiting {
  taker: TurnTaker;
  grant: (granted: boolean) => void;
}

export class ScoringTurns {
  private holder: TurnTaker | null = null;
  private readonly waiting: Waiting[] = [];
  /** When each taker last had a turn (a counter, not a clock). */
  private readonly lastTurn = new Map<TurnTaker, number>();
  private turnCount = 0;

  /** Resolves true once it is `taker`'s turn (release it after the job), false if withdrawn first. */
  acquire(taker: TurnTaker): Promise<boolean> {
    if (this.holder === taker || this.waiting.some((w) => w.taker === taker)) {
      return Promise.reject(new Error('scoring turns: a loop asked for a second turn'));
    }
    const turn = new Promise<boolean>((grant) => this.waiting.push({ taker, grant }));
    this.grantNext();
    return turn;
  }

  /** Ends `taker`'s turn; the next one is granted at once. */
  release(taker: TurnTaker): void {
    if (this.holder !== taker) return;
    this.holder = null;
    this.grantNext();
  }

  /** Takes a loop out for good (its run closed): a turn it waits for resolves false, one it holds ends. */
  withdraw(taker: TurnTaker): void {
    const k = this.waiting.findIndex((w) => w.taker === taker);
    if (k >= 0) this.waiting.splice(k, 1)[0].grant(false);
    this.lastTurn.delete(taker);
    this.release(taker);
  }

  /** Loops waiting for a turn (tests). */
  get queued(): number {
    return this.waiting.length;
  }

  private grantNext(): void {
    if (this.holder || this.waiting.length === 0) return;
    // Nothing to score costs nothing: such a loop gets its turn first and gives it back at once.
    const urgency = (w: Waiting) => {
      const r = w.taker.next();
      return r === undefined ? -1 : QUEUE_URGENCY[r];
    };
    let best = 0;
    let bestUrgency = urgency(this.waiting[0]);
    for (let k = 1; k < this.waiting.length; k++) {
      const u = urgency(this.waiting[k]);
      const older = (this.lastTurn.get(this.waiting[k].taker) ?? -1) < (this.lastTurn.get(this.waiting[best].taker) ?? -1);
      if (u < bestUrgency || (u === bestUrgency && older)) {
        best = k;
        bestUrgency = u;
      }
    }
    const [w] = this.waiting.splice(best, 1);
    this.holder = w.taker;
    this.lastTurn.set(w.taker, ++this.turnCount);
    w.grant(true);
  }
}
