import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScoreQueue, coarseToFineRanks } from '../../src/host/queueOrder';

const drain = (q: ScoreQueue) => {
  const out: string[] = [];
  for (let it = q.take(); it; it = q.take()) out.push(it.path);
  return out;
};

test('initial checkpoints go coarse to fine: ends, middle, quarters', () => {
  const q = new ScoreQueue();
  q.addInitial([500, 0, 100, 200, 300, 400, 600, 700, 800].map((s) => ({ path: `s${s}`, step: s })));
  assert.deepEqual(drain(q), ['s0', 's800', 's400', 's200', 's600', 's100', 's300', 's500', 's700']);
});

test('coarse-to-fine ranks are a permutation for every size', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
      const r = coarseToFineRanks(n);
      assert.deepEqual(
        [...r].sort((a, b) => a - b),
        Array.from({ length: n }, (_, i) => i),
      );
    }),
  );
});

test('a clicked checkpoint goes first, latest click first; arrivals beat the initial backlog', () => {
  const q = new ScoreQueue();
  q.addInitial([1, 2, 3, 4, 5].map((s) => ({ path: `s${s}`, step: s })));
  q.add('new7', 7, 'arrived');
  q.add('new6', 6, 'arrived');
  assert.equal(q.promote('s3'), true);
  assert.equal(q.promote('s4'), true);
  assert.equal(q.promote('absent'), false);
  assert.deepEqual(drain(q).slice(0, 4), ['s4', 's3', 'new6', 'new7']);
});

test('re-adding keeps one entry and the more urgent reason', () => {
  const q = new ScoreQueue();
  q.add('a', 1, 'initial');
  q.add('b', 2, 'initial');
  q.promote('b');
  q.add('b', 2, 'arrived'); // replaced on disk while queued: still the clicked one
  q.add('a', 1, 'arrived');
  assert.equal(q.size, 2);
  assert.deepEqual(
    q.ordered().map((i) => [i.path, i.reason]),
    [
      ['b', 'clicked'],
      ['a', 'arrived'],
    ],
  );
});

test('removed checkpoints are never taken', () => {
  const q = new ScoreQueue();
  q.add('a', 1, 'initial');
  q.add('b', 2, 'arrived');
  q.remove('b');
  assert.deepEqual(drain(q), ['a']);
  assert.equal(q.take(), undefined);
});

test('any mix of operations: take returns each queued path once, clicked before arrived before initial', () => {
  const op = fc.oneof(
    fc.record({
      k: fc.constant('add' as const),
      p: fc.integer({ min: 0, max: 9 }),
      r: fc.constantFrom('initial' as const, 'arrived' as const),
    }),
    fc.record({ k: fc.constant('promote' as const), p: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ k: fc.constant('remove' as const), p: fc.integer({ min: 0, max: 9 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const q = new ScoreQueue();
      const live = new Set<string>();
      for (const o of ops) {
        const p = `p${o.p}`;
        if (o.k === 'add') {
          q.add(p, o.p, o.r);
          live.add(p);
        } else if (o.k === 'promote') q.promote(p);
        else {
          q.remove(p);
          live.delete(p);
        }
      }
      const reasons = q.ordered().map((i) => ({ initial: 2, arrived: 1, clicked: 0 })[i.reason]);
      assert.deepEqual(
        reasons,
        [...reasons].sort((a, b) => a - b),
      );
      const taken = drain(q);
      assert.deepEqual(new Set(taken), live);
      assert.equal(taken.length, live.size);
    }),
  );
});
