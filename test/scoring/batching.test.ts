// Batches stay within the budget, hold every sample exactly once, and group by length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixedBatches, planBatches, smallerBudget } from '../../src/scoring/batching';
import { lengthProblem } from '../../src/scoring/sampleChecks';

test('every sample lands in exactly one batch within the budget (or alone when longer)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 200 }), fc.integer({ min: 1, max: 2000 }), (lengths, budget) => {
      const batches = planBatches(lengths, budget);
      const seen = batches.flatMap((b) => b.members).sort((a, b) => a - b);
      assert.deepEqual(
        seen,
        lengths.map((_, i) => i),
      );
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
  assert.deepEqual(
    batches.map((b) => b.members.length),
    [8, 8, 4],
  );
});

test('a bad budget and unscorable samples are named', () => {
  assert.throws(() => planBatches([1], 0), /token budget must be a positive integer/);
  const ctx6 = { maxTokens: { tokens: 6, says: "the model's context of 6" } };
  assert.match(lengthProblem(0, 3, {}) ?? '', /no prompt token/);
  assert.equal(lengthProblem(4, 3, ctx6), "has 7 tokens, more than the model's context of 6; skipped, not truncated");
  assert.equal(lengthProblem(3, 3, ctx6), undefined);
});

test('out of memory: each smaller budget halves the largest batch of several samples, down to one sample per batch', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 100 }),
      fc.integer({ min: 1, max: 1 << 24 }),
      (lengths, budget) => {
        const largest = (b: number) =>
          Math.max(
            0,
            ...planBatches(lengths, b)
              .filter((x) => x.members.length > 1)
              .map((x) => x.members.length * x.seqLen),
          );
        const seen = new Set<number>([budget]);
        for (let b: number | undefined = budget; ;) {
          const next = smallerBudget(lengths, b);
          if (next === undefined) {
            // The end: every batch holds one sample.
            assert.ok(planBatches(lengths, b).every((x) => x.members.length === 1));
            break;
          }
          assert.equal(next, Math.floor(largest(b) / 2));
          assert.ok(largest(next) < largest(b), 'what ran out of memory really shrinks');
          assert.ok(!seen.has(next), 'never the same budget twice');
          seen.add(next);
          b = next;
        }
      },
    ),
    { numRuns: 200 },
  );
  // 16 samples of 100 tokens at a budget far beyond them: one batch of 1600, then 800, 400, 200, alone.
  const steps: number[] = [];
  for (let b: number | undefined = 16_777_216; b !== undefined; b = smallerBudget(new Array(16).fill(100), b)) steps.push(b);
  assert.deepEqual(steps, [16_777_216, 800, 400, 200, 100]);
});

test('a fixed batch size: runs of exactly that many, longest first, the last one short', () => {
  assert.deepEqual(fixedBatches([3, 7, 5, 1, 4], 2), [
    { members: [1, 2], seqLen: 7 },
    { members: [4, 0], seqLen: 4 },
    { members: [3], seqLen: 1 },
  ]);
});
