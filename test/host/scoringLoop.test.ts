// The scoring loop's lookahead: after a short job the next checkpoint is queued behind the running
// one, so the worker never waits on the host between two jobs; a click or an arrival takes it
// back before it runs, so they still go next; after a long job nothing is taken ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointEntry } from '../../src/core/types';
import { ScoreError } from '../../src/core/scoreError';
import type { OpenedRun } from '../../src/host/engine';
import { ScoringLoop } from '../../src/host/scoringLoop';

const entry = (step: number): CheckpointEntry => ({
  step,
  path: `step-${step}`,
  modelPath: `/run/step-${step}/model.onnx`,
  dataPaths: [],
  sameStep: [],
});

/**
 * A run whose jobs go through one worker, one at a time, as the worker client runs them: a job
 * aborted while it waits never runs. A held job runs until the test releases it; a stored one
 * ends at once without the worker (another scorer's result).
 */
class OneWorker {
  submitted: string[] = [];
  ran: string[] = [];
  /** Most jobs submitted and not yet settled at one time. */
  deepest = 0;
  held = new Set<string>();
  stored = new Set<string>();
  private releases = new Map<string, () => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private open = 0;

  readonly run = {
    score: (e: CheckpointEntry, _progress: unknown, signal: AbortSignal) => {
      this.submitted.push(e.path);
      this.deepest = Math.max(this.deepest, ++this.open);
      const settle = <T>(p: Promise<T>) => p.finally(() => this.open--);
      if (this.stored.has(e.path)) return settle(Promise.resolve({ provider: null }));
      const job = this.chain.then(async () => {
        if (signal.aborted) throw new ScoreError({ kind: 'cancelled', checkpoint: e.path, message: 'cancelled before it started' });
        this.ran.push(e.path);
        if (this.held.has(e.path)) await new Promise<void>((r) => this.releases.set(e.path, r));
        else await new Promise((r) => setImmediate(r));
        return { provider: 'cpu' };
      });
      this.chain = job.catch(() => undefined);
      return settle(job);
    },
  } as unknown as OpenedRun;

  /** Resolves once `path` runs in the worker. */
  async running(path: string): Promise<void> {
    while (!this.releases.has(path)) await new Promise((r) => setImmediate(r));
  }

  release(path: string): void {
    this.releases.get(path)?.();
  }
}

function setup(steps: number[], o: { lookaheadMaxMs?: number } = {}) {
  const worker = new OneWorker();
  const trust = { granted: true };
  const entries = new Map(steps.map((s) => [entry(s).path, entry(s)]));
  const loop = new ScoringLoop({
    log: { info: () => {}, warn: () => {}, error: () => {} },
    isTrusted: () => trust.granted,
    entry: (p) => entries.get(p),
    changed: () => {},
    scored: () => {},
    drained: () => {},
    heldElsewhere: () => false,
    lookaheadMaxMs: o.lookaheadMaxMs,
  });
  const states = () => Object.fromEntries([...loop.statuses].map(([p, s]) => [p, s.state]));
  return { worker, loop, entries, states, trust };
}

test('after a short job the next one is queued behind the running one; each checkpoint runs once, in queue order', async () => {
  const { worker, loop, entries, states } = setup([1, 2, 3, 4, 5, 6]);
  loop.enqueue([...entries.values()], 'arrived');
  loop.pump(worker.run);
  await loop.idle();
  assert.equal(worker.deepest, 2);
  assert.deepEqual(worker.ran, ['step-6', 'step-5', 'step-4', 'step-3', 'step-2', 'step-1']);
  assert.deepEqual(worker.submitted, worker.ran);
  assert.ok(Object.values(states()).every((s) => s === 'done'));
});

test('a click takes back the job queued ahead before it runs: the clicked checkpoint runs next, the other later, none twice', async () => {
  const { worker, loop, entries } = setup([1, 2, 3, 4, 5, 6]);
  worker.held.add('step-5');
  loop.enqueue([...entries.values()], 'arrived');
  loop.pump(worker.run);
  await worker.running('step-5');
  // step-6 was short, so step-4 waits behind step-5 in the worker.
  assert.deepEqual(worker.submitted, ['step-6', 'step-5', 'step-4']);
  assert.equal(loop.status('step-4')?.state, 'queued', 'a job taken ahead shows as queued until it runs');
  assert.equal(loop.prioritize('step-1'), true);
  worker.release('step-5');
  await loop.idle();
  assert.deepEqual(worker.ran, ['step-6', 'step-5', 'step-1', 'step-4', 'step-3', 'step-2']);
});

test('a checkpoint that arrives takes back the job queued ahead too', async () => {
  const { worker, loop, entries } = setup([1, 2, 3, 4]);
  worker.held.add('step-3');
  loop.enqueue([...entries.values()], 'arrived');
  loop.pump(worker.run);
  await worker.running('step-3');
  entries.set('step-9', entry(9));
  loop.enqueue([entry(9)], 'arrived');
  worker.release('step-3');
  await loop.idle();
  assert.deepEqual(worker.ran, ['step-4', 'step-3', 'step-9', 'step-2', 'step-1']);
});

test('after a job that took longer than the lookahead allows, nothing is queued ahead', async () => {
  const { worker, loop, entries } = setup([1, 2, 3, 4], { lookaheadMaxMs: 0 });
  loop.enqueue([...entries.values()], 'arrived');
  loop.pump(worker.run);
  await loop.idle();
  assert.equal(worker.deepest, 1);
  assert.equal(worker.ran.length, 4);
});

test('a job taken ahead that ends before its turn (another scorer stored it) is done, not left scoring', async () => {
  const { worker, loop, entries, states } = setup([1, 2, 3, 4]);
  worker.held.add('step-3');
  worker.stored.add('step-2');
  loop.enqueue([...entries.values()], 'arrived');
  loop.pump(worker.run);
  await worker.running('step-3');
  worker.release('step-3');
  await loop.idle();
  assert.deepEqual(states(), { 'step-1': 'done', 'step-2': 'done', 'step-3': 'done', 'step-4': 'done' });
  assert.deepEqual(worker.ran, ['step-4', 'step-3', 'step-1']);
});

test('removing the checkpoint queued ahead cancels it; it does not come back', async () => {
  const { worker, loop, entries, states } = setup([1, 2, 3, 4]);
  worker.held.add('step-3');
  loop.enqueue([...entries.values()], 'arrived');
  loop.pump(worker.run);
  await worker.running('step-3');
  entries.delete('step-2');
  loop.forget('step-2');
  worker.release('step-3');
  await loop.idle();
  assert.deepEqual(worker.ran, ['step-4', 'step-3', 'step-1']);
  assert.equal(states()['step-2'], undefined);
});

test('trust withdrawn while jobs run: the loop stops with the rest queued in order, and goes on once it is back', async () => {
  const { worker, loop, entries, states, trust } = setup([1, 2, 3, 4, 5]);
  worker.held.add('step-4');
  loop.enqueue([...entries.values()], 'arrived');
  loop.pump(worker.run);
  await worker.running('step-4');
  trust.granted = false;
  worker.release('step-4');
  await loop.idle();
  // step-3 was handed to the worker behind step-4 while trust held: it runs; nothing after it.
  assert.deepEqual(worker.ran, ['step-5', 'step-4', 'step-3']);
  assert.deepEqual(states(), { 'step-1': 'queued', 'step-2': 'queued', 'step-3': 'done', 'step-4': 'done', 'step-5': 'done' });
  trust.granted = true;
  loop.pump(worker.run);
  await loop.idle();
  assert.deepEqual(worker.ran, ['step-5', 'step-4', 'step-3', 'step-2', 'step-1']);
});
