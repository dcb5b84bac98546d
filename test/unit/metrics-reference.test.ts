// The rule "a reference value that is missing or −∞ leaves the sample out of coverage and KL"
// (README, "Reference modes"), checked where r = s = −∞ on the same sample: L would be NaN.
// Expected values come from a brute-force count over the samples with a usable r.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allSamples, checkpointMetrics, logRatios, referencedSamples } from '../../src/core/metrics';
import { buildReport, buildReportWithReference, type CoverageReport, type ReportCheckpointInput } from '../../src/core/report';
import { testScores } from '../support/scores';

/** Cov_N by counting, over the samples whose r is a finite number. */
function bruteCoverage(r: number[], s: number[], N: number): number {
  const kept = r.map((_, i) => i).filter((i) => Number.isFinite(r[i]));
  return kept.filter((i) => r[i] - s[i] >= Math.log(N)).length / kept.length;
}

const grid = [1, 2, 16];

/** Every coverage figure of the report is a number in [0, 1]; KL is a number or "Infinity". */
function assertNoNaN(rep: CoverageReport): void {
  for (const c of rep.checkpoints) {
    for (const N of grid) {
      const v = c.coverage[String(N)];
      assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `step ${c.step} Cov_${N} = ${v}`);
      for (const b of c.coverageInterval[String(N)]) assert.ok(!Number.isNaN(b), `step ${c.step} Cov_${N} interval`);
    }
    assert.ok(c.kl === null || c.kl === 'Infinity' || Number.isFinite(c.kl), `step ${c.step} KL = ${c.kl}`);
  }
  assert.doesNotMatch(JSON.stringify(rep), /NaN/);
}

test('metrics: r = −∞ leaves the sample out of L, coverage and KL; s = −∞ alone still makes KL +∞', () => {
  const r = [-1, -Infinity, -2, NaN, -Infinity];
  const s = [-3, -Infinity, -Infinity, -1, -0.5];
  const set = allSamples(r.length);
  assert.deepEqual([...referencedSamples(Float64Array.from(r), set)], [0, 2]);
  assert.deepEqual([...logRatios(Float64Array.from(r), Float64Array.from(s), set)], [2, Infinity]);
  const m = checkpointMetrics(testScores(s.map((v, i) => (i === 3 ? -1 : v))), set, {
    r: Float64Array.from(r),
    densities: true,
    pointMass: false,
    nGrid: grid,
  });
  assert.equal(m.kl, Infinity, 'sample 2 has probability 0 under the checkpoint');
  assert.equal(m.samples, 5, 'cross-entropy keeps every sample of the set');
  for (const p of m.coverage!) assert.equal(p.coverage, bruteCoverage(r, s, p.N), `Cov_${p.N}`);
  // Without the s = −∞ sample, KL is the plain mean of the kept L.
  const finite = checkpointMetrics(testScores([-3, -Infinity, -1]), allSamples(3), {
    r: Float64Array.from([-1, -Infinity, -1]),
    densities: true,
    pointMass: false,
    nGrid: grid,
  });
  assert.equal(finite.kl, (2 + 0) / 2);
  assert.deepEqual(
    finite.coverage!.map((p) => p.coverage),
    [1, 0.5, 0],
  );
});

// Four samples; every checkpoint gives sample 3 probability 0, and so does the reference.
const cps: ReportCheckpointInput[] = [
  { step: 100, path: 'step-100.onnx', scores: testScores([-1, -2, -3, -Infinity]) },
  { step: 200, path: 'step-200.onnx', scores: testScores([-1.5, -1, -6, -Infinity]) },
];
const refValues = [-1.2, -1.2, -1.2, -Infinity];

test('generator reference with ref_logprob = −∞ where every checkpoint scores −∞: finite KL, coverage over the other samples', () => {
  const rep = buildReport({ checkpoints: cps, reference: 'generator', refLogprobs: refValues, nGrid: grid, selectionN: 2 });
  assertNoNaN(rep);
  for (const c of rep.checkpoints) {
    const s = [...cps.find((x) => x.path === c.path)!.scores.seqLogprob];
    for (const N of grid) assert.equal(c.coverage[String(N)], bruteCoverage(refValues, s, N), `step ${c.step} Cov_${N}`);
    const L = [0, 1, 2].map((i) => refValues[i] - s[i]);
    assert.ok(Math.abs((c.kl as number) - L.reduce((a, b) => a + b, 0) / 3) < 1e-12, `step ${c.step} KL`);
  }
  assert.ok(
    rep.warnings.some((w) => /^1 of 4 samples left out of coverage/.test(w)),
    rep.warnings.join('\n'),
  );
});

test('model reference that gives −∞ where every checkpoint scores −∞: finite KL, coverage over the other samples', () => {
  const rep = buildReport({
    checkpoints: cps,
    reference: { model: 'ref.onnx' },
    referenceScores: testScores(refValues),
    nGrid: grid,
    selectionN: 2,
  });
  assertNoNaN(rep);
  for (const c of rep.checkpoints) {
    const s = [...cps.find((x) => x.path === c.path)!.scores.seqLogprob];
    for (const N of grid) assert.equal(c.coverage[String(N)], bruteCoverage(refValues, s, N), `step ${c.step} Cov_${N}`);
    assert.equal(typeof c.kl, 'number');
  }
});

test("tournament: r = the suggested checkpoint's −∞ leaves the sample out of the relative coverage only", () => {
  const rep = buildReport({ checkpoints: cps, reference: 'tournament', nGrid: grid, selectionN: 2 });
  assertNoNaN(rep);
  assert.ok(rep.suggested, 'a checkpoint is suggested');
  const r = [...cps.find((c) => c.path === rep.suggested!.path)!.scores.seqLogprob];
  for (const c of rep.checkpoints) {
    const s = [...cps.find((x) => x.path === c.path)!.scores.seqLogprob];
    for (const N of grid) assert.equal(c.coverage[String(N)], bruteCoverage(r, s, N), `step ${c.step} Cov_${N}: denominator 3, not 4`);
    assert.equal(c.kl, null, 'no KL without a density reference');
    assert.equal(c.samples, 4, 'cross-entropy keeps the sample (its CE is +∞)');
  }
  assert.ok(
    rep.warnings.some((w) => /^1 of 4 samples left out of coverage: the suggested checkpoint gives them probability 0/.test(w)),
    rep.warnings.join('\n'),
  );
});

test("the report hands out the r its coverage used: the reference values, or the suggested checkpoint's scores", () => {
  const gen = buildReportWithReference({ checkpoints: cps, reference: 'generator', refLogprobs: refValues, nGrid: grid, selectionN: 2 });
  assert.deepEqual([...gen.r!], [-1.2, -1.2, -1.2, NaN], 'a −∞ ref_logprob is an unusable one');
  const tour = buildReportWithReference({ checkpoints: cps, reference: 'tournament', nGrid: grid, selectionN: 2 });
  assert.equal(tour.r, cps.find((c) => c.path === tour.report.suggested!.path)!.scores.seqLogprob);
  assert.equal(buildReportWithReference({ checkpoints: [], reference: 'tournament', evalSamples: 4 }).r, null);
});
