// The known answers of docs/metrics.md ("Known answers", 1–6) plus Wilson and
// Pass@N against values computed another way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  allSamples,
  checkpointMetrics,
  commonSamples,
  coverageProfile,
  crossEntropy,
  DEFAULT_N_GRID,
  logRatios,
  meanLogRatio,
  meanPassAtN,
  passAtN,
  resolveReference,
  smallSampleWarning,
  wilsonInterval,
} from '../../src/core/metrics';
import { testScores } from '../support/scores';
import { fuzzParams } from '../support/fuzz';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

const cov = (r: number[], s: number[], grid: readonly number[]) =>
  coverageProfile(logRatios(Float64Array.from(r), Float64Array.from(s), allSamples(r.length)), grid);

const logprobArb = fc.array(fc.double({ min: -60, max: 0, noNaN: true }), { minLength: 1, maxLength: 60 });

test('check 1: a model against itself has Cov_N = 0 for every N > 1, and Cov_1 = 1', () => {
  fc.assert(
    fc.property(logprobArb, (s) => {
      const p = cov(s, s, DEFAULT_N_GRID);
      assert.equal(p[0].coverage, 1);
      for (const pt of p.slice(1)) assert.equal(pt.coverage, 0);
    }),
  );
});

test('check 2: Cov_N never increases with N; Cov_1 is the share with L ≥ 0', () => {
  fc.assert(
    fc.property(logprobArb, fc.array(fc.double({ min: 1, max: 1e7, noNaN: true }), { maxLength: 12 }), (s, extra) => {
      const r = s.map((v, i) => Math.min(0, v + Math.sin(i * 7.3) * 5));
      const grid = [...new Set([1, ...extra])].sort((a, b) => a - b);
      const p = cov(r, s, grid);
      for (let j = 1; j < p.length; j++) assert.ok(p[j].coverage <= p[j - 1].coverage);
      const nonneg = r.filter((v, i) => v - s[i] >= 0).length / r.length;
      assert.equal(p[0].coverage, nonneg);
    }),
  );
});

test('check 3: Cov_N ≤ KL / ln(N/e) for N > e on exact samples of random distributions', () => {
  // An eval set that holds outcome y exactly c_y times is an exact sample of p(y) = c_y / n, so the
  // empirical KL and Cov_N are the population ones, where Proposition 3.1 must hold for any q.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.double({ min: 1e-9, max: 1, noNaN: true })), { minLength: 1, maxLength: 12 }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      (outcomes, mass) => {
        const n = outcomes.reduce((a, [c]) => a + c, 0);
        const wsum = outcomes.reduce((a, [, w]) => a + w, 0);
        const r: number[] = [];
        const s: number[] = [];
        for (const [c, w] of outcomes) {
          for (let j = 0; j < c; j++) {
            r.push(Math.log(c / n));
            s.push(Math.log((mass * w) / wsum)); // q sums to `mass` ≤ 1 over the support
          }
        }
        const L = logRatios(Float64Array.from(r), Float64Array.from(s), allSamples(n));
        const kl = meanLogRatio(L);
        for (const pt of coverageProfile(L, [3, 4, 8, 16, 100, 1e4])) {
          assert.ok(pt.coverage <= kl / Math.log(pt.N / Math.E) + 1e-12, `N=${pt.N} cov ${pt.coverage} KL ${kl}`);
        }
      },
    ),
  );
});

test('check 4: product Bernoulli H = 8, p = 0.5, q = 0.4, all 256 sequences once', () => {
  const r: number[] = [];
  const s: number[] = [];
  for (let y = 0; y < 256; y++) {
    let lp = 0;
    for (let t = 0; t < 8; t++) lp += (y >> t) & 1 ? Math.log(0.4) : Math.log(0.6);
    s.push(lp);
    r.push(8 * Math.log(0.5));
  }
  const p = cov(r, s, [2, 4, 16]);
  assert.deepEqual(
    p.map((x) => x.count),
    [37, 1, 0],
  );
  // Exactly 37/256 and 1/256 (docs/metrics.md derives the counts: 6 or more ones, 8 ones).
  assert.deepEqual(
    p.map((x) => x.coverage),
    [37 / 256, 1 / 256, 0],
  );
  const kl = meanLogRatio(logRatios(Float64Array.from(r), Float64Array.from(s), allSamples(256)));
  close(kl, 8 * (0.5 * Math.log(0.5 / 0.4) + 0.5 * Math.log(0.5 / 0.6)), 1e-12, 'KL');
  close(kl, 0.163288, 5e-7, 'KL');
});

test('check 5: point mass Pass@16 for π(y*) = 1/16 and 1/8', () => {
  close(passAtN(Math.log(1 / 16), 16), 0.643926, 5e-7);
  close(passAtN(Math.log(1 / 8), 16), 0.881933, 5e-7);
  close(passAtN(Math.log(1 / 16), 16), 1 - (15 / 16) ** 16, 1e-15);
  // Tiny p: 1 − (1 − p)^N ≈ N·p, where the naive form loses every digit.
  close(passAtN(Math.log(1e-18), 1000), 1e-15, 1e-27);
  assert.equal(passAtN(0, 5), 1);
  assert.equal(passAtN(-Infinity, 5), 0);
  close(passAtN(-1e-20, 1), 1, 1e-15);
  close(meanPassAtN(Float64Array.from([Math.log(1 / 16), Math.log(1 / 8)]), allSamples(2), 16), (0.643926 + 0.881933) / 2, 1e-6);
});

test('check 6: missing mass gives KL = ∞ (never NaN) and Cov_N = 0.001 at large N', () => {
  const n = 10_000;
  const s = Array.from({ length: n }, (_, i) => (i < 10 ? -Infinity : -3 - (i % 7) * 0.1));
  const r = Array.from({ length: n }, (_, i) => -3 - (i % 5) * 0.1);
  const L = logRatios(Float64Array.from(r), Float64Array.from(s), allSamples(n));
  assert.equal(meanLogRatio(L), Infinity);
  for (const pt of coverageProfile(L, [1e3, 2 ** 20, 1e300])) assert.equal(pt.coverage, 0.001);
  const m = checkpointMetrics(
    testScores(
      s,
      s.map(() => 4),
    ),
    allSamples(n),
    {
      r: Float64Array.from(r),
      densities: true,
      pointMass: false,
      nGrid: [2 ** 20],
    },
  );
  assert.equal(m.kl, Infinity);
  assert.equal(m.ce.perToken, Infinity);
  assert.equal(m.coverage![0].coverage, 0.001);
});

test('Wilson 95% intervals match known values', () => {
  const z = 1.959963984540054;
  // 0 of 10: the upper bound reduces to z²/(n + z²) (0.277533).
  const [lo0, hi0] = wilsonInterval(0, 10);
  assert.equal(lo0, 0);
  close(hi0, (z * z) / (10 + z * z), 1e-15);
  // 5 of 10: centred on ½, half-width z·√(n/4 + z²/4)/(n + z²) (0.236593, 0.763407).
  const [lo5, hi5] = wilsonInterval(5, 10);
  const half = (z * Math.sqrt(10 / 4 + (z * z) / 4)) / (10 + z * z);
  close(lo5, 0.5 - half, 1e-15);
  close(hi5, 0.5 + half, 1e-15);
  // Independent closed form (Wilson 1927) for 37 of 256.
  const n = 256;
  const p = 37 / 256;
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const h = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const [lo, hi] = wilsonInterval(37, 256);
  close(lo, c - h, 1e-15);
  close(hi, c + h, 1e-15);
});

test('Wilson at 0 of n is exactly [0, z²/(n + z²)] and at n of n exactly [n/(n + z²), 1], for every n to 5000', () => {
  const z = 1.959963984540054;
  for (let n = 1; n <= 5000; n++) {
    // The textbook form (A − B)/(1 + z²/n) gave 5.4e-20 instead of 0 for 1256 of these n.
    const [lo0, hi0] = wilsonInterval(0, n);
    assert.equal(lo0, 0, `lower bound at 0 of ${n}`);
    close(hi0, (z * z) / (n + z * z), 4e-16);
    const [loN, hiN] = wilsonInterval(n, n);
    assert.equal(hiN, 1, `upper bound at ${n} of ${n}`);
    close(loN, n / (n + z * z), 4e-16);
    // Away from the ends the bounds are Wilson's own (A ∓ B)/(1 + z²/n), computed plainly.
    const k = Math.floor(n / 3) + 1;
    if (k >= n) continue;
    const p = k / n;
    const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const h = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    const [lo, hi] = wilsonInterval(k, n);
    close(lo, c - h, 1e-12);
    close(hi, c + h, 1e-12);
  }
});

test('cross-entropy per token, bits and per sequence', () => {
  const ce = crossEntropy(Float64Array.from([-2, -4, NaN]), Uint32Array.from([1, 3, 9]), Int32Array.from([0, 1]));
  assert.equal(ce.perToken, 1.5);
  close(ce.bitsPerToken, 1.5 / Math.LN2, 1e-15);
  assert.equal(ce.perSequence, 3);
  assert.equal(ce.tokens, 4);
});

test('skipped samples (NaN) are left out for every checkpoint compared', () => {
  const set = commonSamples(5, [Float64Array.from([0, NaN, 0, 0, 0]), null, Float64Array.from([0, 0, 0, NaN, 0])]);
  assert.deepEqual([...set], [0, 2, 4]);
});

test('references: generator, model, point mass and tournament', () => {
  const g = resolveReference('generator', { n: 3, refLogprobs: [-1, undefined, -2] });
  assert.equal(g.label, 'generator');
  assert.ok(Number.isNaN(g.r![1]));
  assert.equal(g.unusable!.count, 1);
  assert.throws(() => resolveReference('generator', { n: 2, refLogprobs: [undefined, undefined] }), /none of the 2/);
  assert.throws(() => resolveReference('generator', { n: 2 }), /ref_logprob/);
  const m = resolveReference({ model: 'ref/model.onnx' }, { n: 2, referenceScores: testScores([-1, -Infinity], [1, 1]) });
  assert.equal(m.label, 'model ref/model.onnx');
  assert.ok(Number.isNaN(m.r![1]), 'r = −∞ is left out, not turned into L = −∞');
  assert.deepEqual([...resolveReference('point-mass', { n: 2 }).r!], [0, 0]);
  assert.equal(resolveReference('tournament', { n: 2 }).r, null);
});

test('point-mass metrics: KL is the CE per sequence and Pass@N comes with an interval', () => {
  const s = [Math.log(1 / 16), Math.log(1 / 8), Math.log(0.5)];
  const m = checkpointMetrics(testScores(s, [2, 2, 2]), allSamples(3), {
    r: new Float64Array(3),
    densities: true,
    pointMass: true,
    nGrid: [1, 16],
  });
  close(m.kl!, m.ce.perSequence, 1e-15);
  close(m.passAt![1].passAt, (0.643926 + 0.881933 + (1 - 0.5 ** 16)) / 3, 1e-6);
  assert.ok(m.passAt![1].interval[0] <= m.passAt![1].passAt && m.passAt![1].passAt <= m.passAt![1].interval[1]);
  // Cov_16 under point mass is the share with π ≤ 1/16.
  assert.equal(m.coverage![1].count, 1);
});

test('small-sample warning: fewer than 10 expected samples at the 1/N level', () => {
  assert.equal(smallSampleWarning(160, 16), null);
  assert.match(smallSampleWarning(159, 16)!, /n ≥ 160/);
});

test('Cov_N counts: equal to counting L ≥ ln N one by one, ties at ln N, ±∞, grids in any order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.double({ min: -5, max: 12, noNaN: true }), fc.constantFrom(0, Math.log(2), Math.log(16), Infinity, -Infinity)), {
        maxLength: 200,
      }),
      fc.array(fc.constantFrom(1, 2, 3, 16, 16, 1000, 1e9), { minLength: 1, maxLength: 6 }),
      (values, grid) => {
        const L = Float64Array.from(values);
        const pts = coverageProfile(L, grid);
        assert.deepEqual(
          pts.map((p) => p.N),
          grid,
        );
        for (const p of pts) {
          const count = values.filter((x) => x >= Math.log(p.N)).length;
          assert.equal(p.count, count, `N=${p.N}`);
          assert.equal(p.coverage, L.length > 0 ? count / L.length : NaN);
        }
      },
    ),
    fuzzParams(300, 'coverage counts'),
  );
});
