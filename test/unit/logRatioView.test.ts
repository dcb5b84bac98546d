// The inspect view's numbers (src/core/logRatioView.ts) against values worked out by hand or
// by a brute-force count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { histogram, sampleLogRatios, worstCovered } from '../../src/core/logRatioView';

test('log-ratios: r − s per sample, skipped samples (NaN in r or s) and undefined ones (−∞ − −∞) left out, +∞ kept', () => {
  const r = Float64Array.from([-1, NaN, -2, -3, -Infinity, -0.5]);
  const s = Float64Array.from([-4, -1, NaN, -Infinity, -Infinity, -0.5]);
  assert.deepEqual(sampleLogRatios(r, s), [
    { i: 0, l: 3 },
    { i: 3, l: Infinity },
    { i: 5, l: 0 },
  ]);
});

test('worst covered: largest L first, ties to the earlier sample, at most k', () => {
  const ratios = [
    { i: 0, l: 1 },
    { i: 1, l: Infinity },
    { i: 2, l: 1 },
    { i: 3, l: -2 },
    { i: 4, l: 5 },
  ];
  assert.deepEqual(
    worstCovered(ratios, 3).map((x) => x.i),
    [1, 4, 0],
  );
  assert.deepEqual(
    worstCovered(ratios, 10).map((x) => x.i),
    [1, 4, 0, 2, 3],
  );
  assert.deepEqual(
    ratios.map((x) => x.i),
    [0, 1, 2, 3, 4],
    'the input is not reordered',
  );
});

test('histogram: worked example; the maximum falls in the last bin; one repeated value gets a unit bin', () => {
  assert.deepEqual(histogram([0, 1, 2, 3, 4], 4), { edges: [0, 1, 2, 3, 4], counts: [1, 1, 1, 2] });
  assert.deepEqual(histogram([2, 2, 2], 2), { edges: [1.5, 2, 2.5], counts: [0, 3] });
  assert.deepEqual(histogram([], 5), { edges: [], counts: [] });
  // Two values a subnormal apart: the bin width would round to 0 (found by the property below).
  assert.deepEqual(histogram([5e-324, 0], 2).counts, [0, 2]);
});

test('histogram: every value is counted once, in the bin whose edges hold it (brute force)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 12 }),
      (values, bins) => {
        const { edges, counts } = histogram(values, bins);
        assert.equal(edges.length, bins + 1);
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          values.length,
        );
        assert.ok(edges[0] <= Math.min(...values) && edges[bins] >= Math.max(...values) - 1e-9);
        // Brute force: a value belongs to the first bin k whose upper edge exceeds it (the last bin is closed).
        const expected = new Array<number>(bins).fill(0);
        for (const v of values) {
          let k = 0;
          while (k < bins - 1 && v >= edges[k + 1]) k++;
          expected[k]++;
        }
        // Edges are computed as lo + k·w, binning as floor((v − lo)/w): allow a value sitting on an edge to fall either side.
        const moved = counts.reduce((acc, c, k) => acc + Math.abs(c - expected[k]), 0);
        const onEdge = values.filter((v) => edges.some((e) => Math.abs(v - e) < 1e-9 * (1 + Math.abs(e)))).length;
        assert.ok(moved <= 2 * onEdge, `counts ${counts} vs brute force ${expected}`);
      },
    ),
    { numRuns: 200 },
  );
});
