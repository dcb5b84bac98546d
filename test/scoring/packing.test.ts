// Packed rows hold every sample once, end to end, within the row capacity and the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { smallerBudget, smallerBudgetFor } from '../../src/scoring/batching';
import { MIN_ROW, packBatches } from '../../src/scoring/packing';

test('every sample is placed once, without overlap, inside its row and batch', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 200 }), fc.integer({ min: 1, max: 4000 }), (fed, budget) => {
      const batches = packBatches(fed, budget);
      const seen = batches.flatMap((b) => b.placements.map((p) => p.sample)).sort((a, b) => a - b);
      assert.deepEqual(
        seen,
        fed.map((_, i) => i),
      );
      const capacity = Math.max(Math.max(0, ...fed), Math.min(MIN_ROW, budget));
      for (const b of batches) {
        assert.ok(b.rows * b.rowLength <= budget || b.rows === 1, 'within the budget, or one row alone');
        for (let r = 0; r < b.rows; r++) {
          const inRow = b.placements.filter((p) => p.row === r).sort((x, y) => x.offset - y.offset);
          assert.ok(inRow.length > 0, 'no empty row');
          let end = 0;
          for (const p of inRow) {
            assert.equal(p.offset, end, 'samples sit end to end');
            end += fed[p.sample];
          }
          assert.ok(end <= b.rowLength && end <= capacity);
        }
        assert.equal(
          b.rowLength,
          Math.max(
            ...Array.from({ length: b.rows }, (_, r) => b.placements.filter((p) => p.row === r).reduce((a, p) => a + fed[p.sample], 0)),
          ),
        );
      }
    }),
    { numRuns: 200 },
  );
});

test('ragged samples pack with little padding; equal ones fill rows to the capacity', () => {
  const ragged = Array.from({ length: 100 }, (_, i) => 10 + ((i * 37) % 90));
  const batches = packBatches(ragged, 4096);
  const padded = batches.reduce((a, b) => a + b.rows * b.rowLength, 0);
  const real = ragged.reduce((a, b) => a + b, 0);
  assert.ok(padded / real < 1.05, `padding ${(padded / real - 1) * 100}%`);
  const equal = packBatches(new Array(20).fill(32), 1024);
  assert.deepEqual(
    equal.map((b) => [b.rows, b.rowLength]),
    [[5, 128]],
  );
  assert.throws(() => packBatches([1], 0), /token budget must be a positive integer/);
  assert.deepEqual(packBatches([], 10), []);
});

test('out of memory on packed rows: each smaller budget halves the largest batch of several rows, down to one row per batch', () => {
  const seq = (fed: number) => ({ promptIds: [1], responseIds: new Array<number>(fed).fill(2) });
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 100 }),
      fc.integer({ min: 1, max: 1 << 24 }),
      (fed, budget) => {
        const samples = fed.map(seq);
        const largest = (b: number) =>
          Math.max(
            0,
            ...packBatches(fed, b)
              .filter((x) => x.rows > 1)
              .map((x) => x.rows * x.rowLength),
          );
        const seen = new Set<number>([budget]);
        for (let b = budget; ;) {
          const next = smallerBudgetFor('safetensors', samples, b);
          if (next === undefined) {
            assert.ok(
              packBatches(fed, b).every((x) => x.rows === 1),
              'the end: every batch is one row',
            );
            break;
          }
          assert.ok(largest(next) < largest(b), 'what ran out of memory really shrinks');
          assert.ok(!seen.has(next), 'never the same budget twice');
          seen.add(next);
          b = next;
        }
      },
    ),
    { numRuns: 200 },
  );
  // ONNX exports halve their padded batches, as smallerBudget always did.
  const samples = [3, 9, 4].map((n) => ({ promptIds: [1], responseIds: new Array<number>(n).fill(2) }));
  assert.equal(smallerBudgetFor('onnx', samples, 1000), smallerBudget([4, 10, 5], 1000));
});
