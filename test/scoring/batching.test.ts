// Batches stay within the budget, hold every sample exactly once, and group by length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planBatches, sampleProblem } from '../../src/scoring/batching';

test('every sample lands in exactly one batch within the budget (or alone when longer)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 200 }), fc.integer({ min: 1, max: 2000 }), (lengths, budget) => {
      const batches = planBatches(lengths, budget);
      const seen = batches.flatMap((b) => b.members).sort((a, b) => a - b);
      assert.deepEqual(seen, lengths.map((_, i) => i));
      for (const b of batches) {
        assert.equal(b.seqLen, Math.max(...b.members.map((i) => lengths[i])));
        assert.ok(b.members.length * b.seqLen <= budget || b.members.length === 1);
      }
    }),
    { numRuns: 200 },
  );
});

test('equal lengths fill batches to the budget', () => {
  const batches = planBatches(new Array(20).fill(128), 1024);
  assert.deepEqual(batches.map((b) => b.members.length), [8, 8, 4]);
});

test('a bad budget and unscorable samples are named', () => {
  assert.throws(() => planBatches([1], 0), /token budget must be a positive integer/);
  assert.match(sampleProblem(0, 3, undefined) ?? '', /no prompt token/);
  assert.match(sampleProblem(4, 3, 6) ?? '', /7 tokens, more than the model's context of 6/);
  assert.equal(sampleProblem(3, 3, 6), undefined);
});
