// Both pair counters (WebAssembly SIMD and plain JS) against the definition written out:
// #{i : s_j(i) − s_k(i) ≥ c} and #{i : … ≤ −c}, with −∞, NaN, odd lengths and several blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsPairCounts, pairCounter, wasmPairCounter, type PairCounter } from '../../src/core/pairKernel';

function naive(rows: Float64Array[], n: number, c: number, cap: number): Int32Array {
  const out = new Int32Array(cap * cap);
  for (let j = 0; j < rows.length; j++) {
    for (let k = 0; k < rows.length; k++) {
      if (j === k) continue;
      for (let i = 0; i < n; i++) if (rows[j][i] - rows[k][i] >= c) out[j * cap + k]++;
    }
  }
  return out;
}

const value = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: -60, max: 0 }).map((v) => v / 4) },
  { weight: 2, arbitrary: fc.double({ min: -50, max: 0, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(-Infinity) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
);

const caseArb = fc
  .record({
    K: fc.integer({ min: 0, max: 6 }),
    n: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 250, max: 530 })),
    c: fc.constantFrom(Math.log(2), Math.log(16), 1, 2.5),
    extra: fc.integer({ min: 0, max: 3 }),
  })
  .chain(({ K, n, c, extra }) =>
    fc.record({
      c: fc.constant(c),
      n: fc.constant(n),
      cap: fc.constant(K + extra),
      rows: fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: K, maxLength: K }),
    }),
  );

function check(counter: PairCounter): void {
  fc.assert(
    fc.property(caseArb, ({ c, n, cap, rows }) => {
      const r = rows.map((x) => Float64Array.from(x));
      // Counts are added to what is there, so start from a non-zero matrix.
      const counts = Int32Array.from({ length: cap * cap }, (_, i) => i % 7);
      counter(r, n, c, counts, cap);
      const want = naive(r, n, c, cap);
      for (let i = 0; i < want.length; i++) want[i] += i % 7;
      assert.deepEqual(counts, want);
    }),
    { numRuns: 150 },
  );
}

test('the plain JS counter equals the definition', () => check(jsPairCounts));

test('the WebAssembly SIMD counter equals the definition, and is the one used here', () => {
  const wasm = wasmPairCounter();
  // Node 20 has WebAssembly SIMD: a null here would mean the module's bytes are invalid.
  assert.ok(wasm, 'WebAssembly SIMD counter unavailable');
  check(wasm);
  assert.notEqual(pairCounter(), jsPairCounts);
});

test('a difference of exactly c counts, one ulp below does not (the same float64 subtraction)', () => {
  const c = Math.log(16);
  const below = c - 2 ** -50;
  const rows = [Float64Array.from([c, below, 0]), Float64Array.from([0, 0, c])];
  for (const counter of [jsPairCounts, wasmPairCounter()!]) {
    const counts = new Int32Array(4);
    counter(rows, 3, c, counts, 2);
    assert.deepEqual([...counts], [0, 1, 1, 0]);
  }
});
