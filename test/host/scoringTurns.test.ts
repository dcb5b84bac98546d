// Several runs' loops share one worker: the turn goes to the most urgent next checkpoint, equal
// urgency alternates between runs, and a closed run's loop leaves without blocking the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueReason } from '../../src/host/queueOrder';
import { ScoringTurns, type TurnTaker } from '../../src/host/scoringTurns';

/** A loop whose queue is a list of reasons; each turn scores the first. */
class Loop implements TurnTaker {
  constructor(
    readonly name: string,
    readonly queue: QueueReason[],
  ) {}
  next(): QueueReason | undefined {
    return this.queue[0];
  }
}

/** Runs the loops to the end as ScoringLoop.drain does; returns who scored in what order. */
async function drainAll(turns: ScoringTurns, loops: Loop[], during?: (order: string[]) => void): Promise<string[]> {
  const order: string[] = [];
  await Promise.all(
    loops.map(async (l) => {
      while (l.queue.length) {
        if (!(await turns.acquire(l))) return;
        const reason = l.queue.shift();
        if (reason) order.push(`${l.name}:${reason}`);
        during?.(order);
        // The job: other loops queue up meanwhile.
        await new Promise((r) => setImmediate(r));
        turns.release(l);
      }
    }),
  );
  return order;
}

test('runs equally urgent take turns (round robin), so each run makes progress from the start', async () => {
  const turns = new ScoringTurns();
  const loops = ['a', 'b', 'c'].map((n) => new Loop(n, ['initial', 'initial', 'initial']));
  const order = await drainAll(turns, loops);
  assert.deepEqual(
    order.map((o) => o[0]),
    ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c'],
  );
});

test('a clicked checkpoint in any run goes next, then arrivals, then the first pass', async () => {
  const turns = new ScoringTurns();
  const a = new Loop('a', ['initial', 'initial', 'initial']);
  const b = new Loop('b', ['initial', 'initial', 'initial']);
  let clicked = false;
  const order = await drainAll(turns, [a, b], (o) => {
    // While a's first job runs, the user clicks a checkpoint of b, and one arrives in a.
    if (!clicked && o.length === 1) {
      clicked = true;
      b.queue.unshift('clicked');
      a.queue.unshift('arrived');
    }
  });
  assert.deepEqual(order.slice(0, 3), ['a:initial', 'b:clicked', 'a:arrived']);
  assert.equal(order.length, 8);
});

test('a withdrawn loop gets false and the others go on; a loop with nothing to do is let through first', async () => {
  const turns = new ScoringTurns();
  const a = new Loop('a', ['initial']);
  const b = new Loop('b', ['initial']);
  const idle = new Loop('idle', []);
  assert.equal(await turns.acquire(a), true);
  const bTurn = turns.acquire(b);
  const idleTurn = turns.acquire(idle);
  const closed = new Loop('closed', ['clicked']);
  const closedTurn = turns.acquire(closed);
  assert.equal(turns.queued, 3);
  turns.withdraw(closed);
  assert.equal(await closedTurn, false);
  turns.release(a);
  assert.equal(await idleTurn, true, 'nothing to score: its turn comes first and costs nothing');
  turns.release(idle);
  assert.equal(await bTurn, true);
  await assert.rejects(turns.acquire(b), /second turn/);
  turns.withdraw(b);
  assert.equal(await turns.acquire(a), true, 'withdrawing the holder ends its turn');
});
