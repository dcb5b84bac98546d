import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { downsampleIndices } from '../../src/host/downsample';

test('short runs are drawn whole', () => {
  assert.deepEqual(downsampleIndices({ series: [[1, 2, 3]], count: 3, marked: new Set(), maxPoints: 10 }), [0, 1, 2]);
});

test('long runs keep marked points, the ends and every series extreme, within the bound', () => {
  const arb = fc.record({
    n: fc.integer({ min: 50, max: 3000 }),
    max: fc.integer({ min: 20, max: 200 }),
    seed: fc.integer(),
    marks: fc.array(fc.nat(), { maxLength: 3 }),
  });
  fc.assert(
    fc.property(arb, ({ n, max, seed, marks }) => {
      let x = seed >>> 0 || 1;
      const rnd = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
      const ce = Array.from({ length: n }, () => rnd());
      const cov = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : rnd()));
      const marked = new Set(marks.map((m) => m % n));
      const idx = downsampleIndices({ series: [ce, cov], count: n, marked, maxPoints: max });
      assert.ok(idx.length <= max + marked.size, `${idx.length} > ${max} + ${marked.size}`);
      assert.deepEqual(
        idx,
        [...new Set(idx)].sort((a, b) => a - b),
      );
      for (const m of marked) assert.ok(idx.includes(m), `marked ${m} dropped`);
      assert.ok(idx.includes(0) && idx.includes(n - 1));
      const argmin = (s: (number | null)[]) => s.reduce<number>((b, v, i) => (v !== null && (b < 0 || v < s[b]!) ? i : b), -1);
      const argmax = (s: (number | null)[]) => s.reduce<number>((b, v, i) => (v !== null && (b < 0 || v > s[b]!) ? i : b), -1);
      for (const s of [ce, cov]) {
        assert.ok(idx.includes(argmin(s)) && idx.includes(argmax(s)), 'a global extreme was dropped');
      }
    }),
    { numRuns: 60 },
  );
});

test('a spike in a long flat run survives', () => {
  const s = Array.from({ length: 10_000 }, () => 1);
  s[6543] = 9;
  const idx = downsampleIndices({ series: [s], count: s.length, marked: new Set([17]), maxPoints: 100 });
  assert.ok(idx.includes(6543) && idx.includes(17));
});
