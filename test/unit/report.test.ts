// The report model's JSON shape (`report --json`), its reference modes, and the formatters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, displayNs, formatReportCsv, formatReportText, type ReportCheckpointInput } from '../../src/core/report';
import { CoverageTournament } from '../../src/core/tournament';
import { testScores } from '../support/scores';

// Four samples; the reference gives each ln 0.25. "wide" covers everything, "sharp" has the
// lowest CE but gives sample 3 probability 0.
const r = [-1.4, -1.4, -1.4, -1.4];
const cps: ReportCheckpointInput[] = [
  { step: 200, path: 'b/step-200.onnx', scores: testScores([-1, -1, -1, -Infinity], 2) },
  { step: 100, path: 'a/step-100.onnx', scores: testScores([-1.5, -1.5, -1.5, -1.5], 2) },
];

test('JSON shape: field names, "Infinity" KL, coverage keyed by N, failures listed', () => {
  const rep = buildReport({
    checkpoints: cps,
    failed: [{ step: 300, path: 'c/step-300.onnx', reason: 'invalid protobuf' }],
    reference: 'generator',
    refLogprobs: r,
    nGrid: [1, 2, 16],
    selectionN: 16,
  });
  const json = JSON.parse(JSON.stringify(rep));
  for (const k of ['reference', 'selectionN', 'dev', 'suggested', 'minCrossEntropy', 'checkpoints', 'failed']) assert.ok(k in json, k);
  assert.equal(json.reference, 'generator');
  assert.deepEqual(
    json.checkpoints.map((c: { step: number }) => c.step),
    [100, 200],
    'sorted by step',
  );
  const sharp = json.checkpoints[1];
  assert.deepEqual(Object.keys(sharp).slice(0, 14), [
    'step',
    'path',
    'samples',
    'tokens',
    'cePerToken',
    'ceBitsPerToken',
    'cePerSequence',
    'kl',
    'coverage',
    'coverageInterval',
    'passAt',
    'passAtInterval',
    'tournamentScore',
    'rivalStep',
  ]);
  assert.equal(sharp.kl, 'Infinity');
  assert.equal(sharp.cePerToken, 'Infinity');
  assert.deepEqual(sharp.coverage, { '1': 0.25, '2': 0.25, '16': 0.25 });
  assert.equal(sharp.coverageInterval['16'].length, 2);
  assert.equal(sharp.passAt, null);
  const wide = json.checkpoints[0];
  assert.ok(Math.abs(wide.kl - 0.1) < 1e-12);
  assert.deepEqual(wide.coverage, { '1': 1, '2': 0, '16': 0 });
  // wide out-covers sharp by ≥ 16× only where sharp gives 0: A[wide, sharp] = 1/4; sharp never beats wide by 16×.
  assert.equal(sharp.tournamentScore, 0.25);
  assert.equal(sharp.rivalStep, 100);
  assert.equal(wide.tournamentScore, 0);
  assert.deepEqual(json.suggested, { step: 100, path: 'a/step-100.onnx' });
  assert.equal(json.minCrossEntropy.step, 100, 'an infinite CE is never the lowest');
  assert.deepEqual(json.failed, [{ step: 300, path: 'c/step-300.onnx', reason: 'invalid protobuf' }]);
  assert.ok(json.dev > 0);
  assert.equal(json.resolved, false, 'n = 4 resolves nothing');
  assert.ok(rep.warnings.some((w) => /too small for N = 16/.test(w)));
});

test('tournament mode: no KL, coverage relative to the suggested checkpoint, named as such', () => {
  const rep = buildReport({ checkpoints: cps, reference: 'tournament', nGrid: [2, 16] });
  assert.equal(rep.referenceLabel, 'tournament');
  assert.deepEqual(rep.coverageRelativeTo, { step: 100, path: 'a/step-100.onnx' });
  for (const c of rep.checkpoints) assert.equal(c.kl, null);
  assert.deepEqual(rep.checkpoints[0].coverage, { '2': 0, '16': 0 }, 'the suggestion against itself');
  assert.deepEqual(rep.checkpoints[1].coverage, { '2': 0.25, '16': 0.25 });
  assert.ok(rep.warnings.some((w) => /relative to the suggested checkpoint \(step 100\)/.test(w)));
  assert.match(formatReportText(rep), /rCov@16/);
});

test('point-mass mode gives Pass@N; model mode names the model', () => {
  const pm = buildReport({ checkpoints: [cps[1]], reference: 'point-mass', nGrid: [16] });
  const p = 1 - (1 - Math.exp(-1.5)) ** 16;
  assert.ok(Math.abs(pm.checkpoints[0].passAt!['16'] - p) < 1e-12);
  assert.ok(Math.abs((pm.checkpoints[0].kl as number) - 1.5) < 1e-12, 'KL against a point mass is CE per sequence');
  const ref = testScores([-1.4, -1.4, NaN, -1.4], 2);
  const mm = buildReport({ checkpoints: cps, reference: { model: 'ref/model.onnx' }, referenceScores: ref, nGrid: [16] });
  assert.equal(mm.referenceLabel, 'model ref/model.onnx');
  assert.deepEqual(mm.reference, { model: 'ref/model.onnx' });
  assert.equal(mm.checkpoints[0].samples, 3, 'the sample the reference skipped is left out');
  assert.equal(mm.tournamentSamples, 4);
});

test('a single checkpoint, none at all, and a skipped sample', () => {
  const one = buildReport({ checkpoints: [cps[1]], reference: 'generator', refLogprobs: r });
  assert.equal(one.checkpoints[0].tournamentScore, 0);
  assert.equal(one.checkpoints[0].rivalStep, null);
  assert.equal(one.resolved, true);
  assert.match(one.verdict, /Only one checkpoint/);
  const none = buildReport({
    checkpoints: [],
    failed: [{ step: 1, path: 'x.onnx', reason: 'bad' }],
    reference: 'generator',
    refLogprobs: r,
  });
  assert.equal(none.suggested, null);
  assert.equal(none.dev, null);
  assert.match(none.verdict, /No checkpoint could be scored/);
  const skip = buildReport({
    checkpoints: [cps[1], { ...cps[0], scores: testScores([-1, NaN, -1, -Infinity], 2) }],
    reference: 'generator',
    refLogprobs: r,
  });
  assert.equal(skip.checkpoints[0].samples, 3);
  assert.ok(skip.warnings.some((w) => /1 of 4 samples were skipped/.test(w)));
});

test('a tournament kept incrementally gives the same report as a fresh build', () => {
  const t = new CoverageTournament(4, 16);
  for (const c of cps) t.add({ id: c.path, step: c.step, seqLogprob: c.scores.seqLogprob, tokenCounts: c.scores.tokenCounts });
  const a = buildReport({ checkpoints: cps, reference: 'generator', refLogprobs: r, tournament: t });
  const b = buildReport({ checkpoints: cps, reference: 'generator', refLogprobs: r });
  assert.deepEqual(a, b);
  assert.throws(
    () => buildReport({ checkpoints: cps.slice(1), reference: 'generator', refLogprobs: r, tournament: t }),
    /does not hold exactly/,
  );
});

test('text table and CSV', () => {
  const rep = buildReport({ checkpoints: cps, reference: 'generator', refLogprobs: r, nGrid: [1, 2, 16, 256] });
  const text = formatReportText(rep);
  assert.match(text, /reference: generator/);
  assert.match(text, /◀ suggested ◀ lowest CE/);
  assert.match(text, /∞/);
  assert.ok(text.trimEnd().endsWith(rep.verdict));
  const csv = formatReportCsv({ ...rep, checkpoints: rep.checkpoints.map((c) => ({ ...c, path: 'a,"b"' })) })
    .trim()
    .split('\n');
  assert.equal(csv.length, 3);
  assert.match(csv[0], /^step,path,samples,tokens,ce_per_token/);
  assert.match(csv[1], /^100,"a,""b""",4,8,/);
  assert.deepEqual(displayNs([1, 2, 4, 16, 256, 4096, 65536], 16), [2, 16, 256, 4096]);
  assert.deepEqual(displayNs([3, 5, 7], 16), [3, 5, 7]);
});

test('verdict when the suggestion never out-covers the lowest-CE checkpoint: it says why it still wins', () => {
  // Y has the lowest CE but Z out-covers it on samples 0 and 1; X sits between them there
  // (within a factor 16 of both) and beats Z elsewhere: nothing out-covers X, and X never
  // out-covers Y. The old wording read "out-covers step 2 … on 0.0% of samples".
  const one = (seq: number[]) => testScores(seq, 1);
  const rest = (v: number) => new Array<number>(8).fill(v);
  const rep = buildReport({
    checkpoints: [
      { step: 1, path: 'x.onnx', scores: one([-7.5, -7.5, ...rest(-2)]) },
      { step: 2, path: 'y.onnx', scores: one([-10, -10, ...rest(-1)]) },
      { step: 3, path: 'z.onnx', scores: one([-5, -5, ...rest(-5)]) },
    ],
    reference: 'tournament',
    nGrid: [16],
    selectionN: 16,
  });
  assert.equal(rep.suggested!.step, 1);
  assert.equal(rep.minCrossEntropy!.step, 2);
  assert.equal(rep.suggestedOutcoversMinCe, 0);
  assert.equal(rep.checkpoints[1].tournamentScore, 0.2);
  assert.match(
    rep.verdict,
    /^Suggested step 1, not the lowest-cross-entropy step 2: it does not out-cover step 2 by a factor 16 on any sample; it is suggested because no checkpoint out-covers it on any sample, while step 3 out-covers step 2 on 20\.0% \(tournament score 0\.0000 at N = 16, dev /,
  );
  assert.doesNotMatch(rep.verdict, /0\.0% of samples/);
});
