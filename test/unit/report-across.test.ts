// The comparison across runs: one tournament over every run's checkpoints. Splitting one run in
// two changes nothing; differing eval sets or selection N give no comparison and say why; the
// verdict calls coverage comparable across runs only when it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramScores } from '../../src/core/demo/exact';
import { demoData } from '../../src/core/demo/run';
import { buildAcross, buildReportWithReference, type AcrossRunInput, type ReportCheckpointInput } from '../../src/core/report';
import type { ReferenceSetting } from '../../src/core/metrics';

const data = demoData({ samples: 1200 });
const ref = data.samples.map((s) => s.refLogprob!);
const all: ReportCheckpointInput[] = data.checkpoints.map((c) => ({
  step: c.step,
  path: c.path,
  scores: bigramScores(c.table, data.vocab, data.samples),
}));

function run(
  name: string,
  checkpoints: ReportCheckpointInput[],
  o: { reference?: ReferenceSetting; refLogprobs?: number[]; hash?: string; selectionN?: number } = {},
): AcrossRunInput {
  const reference = o.reference ?? 'generator';
  const { report, r } = buildReportWithReference({
    checkpoints,
    reference,
    refLogprobs: reference === 'generator' ? (o.refLogprobs ?? ref) : undefined,
    nGrid: [2, 16],
    selectionN: o.selectionN ?? 16,
  });
  return { run: name, evalSetHash: o.hash ?? 'h', report, checkpoints, r };
}

test('one run split into two gives the same suggestion, tournament scores, rivals and dev', () => {
  const whole = run('whole', all).report;
  const across = buildAcross([
    run(
      'runs/a',
      all.filter((_, i) => i % 2 === 0),
    ),
    run(
      'runs/b',
      all.filter((_, i) => i % 2 === 1),
    ),
  ]);
  assert.equal(across.acrossError, null);
  const a = across.across!;
  // The demo suggests step 6000 (index 5, the odd half) and step 13000 has the lowest CE (the even half).
  assert.deepEqual(a.suggested, { run: 'runs/b', ...whole.suggested! });
  assert.equal(a.suggested!.step, 6000);
  assert.equal(a.minCrossEntropy!.step, whole.minCrossEntropy!.step);
  assert.equal(a.dev, whole.dev);
  assert.equal(a.resolved, whole.resolved);
  assert.equal(a.selectionN, 16);
  assert.equal(a.checkpoints.length, all.length);
  for (const c of whole.checkpoints) {
    const x = a.checkpoints.find((y) => y.step === c.step)!;
    assert.equal(x.run, all.findIndex((y) => y.step === c.step) % 2 === 0 ? 'runs/a' : 'runs/b');
    assert.equal(x.tournamentScore, c.tournamentScore, `step ${c.step}`);
    assert.equal(x.rivalStep, c.rivalStep, `step ${c.step}: rival`);
    assert.equal(x.cePerToken, c.cePerToken, `step ${c.step}: CE`);
    assert.equal(x.path, c.path);
  }
  // Runs in the order given, each in step order.
  assert.deepEqual(
    a.checkpoints.map((c) => c.run),
    [...all.map(() => 'runs/a').slice(0, 7), ...all.map(() => 'runs/b').slice(0, 6)],
  );
  assert.match(
    a.verdict,
    /^Suggested step 6000 of run runs\/b, not the lowest-cross-entropy step 13000 of run runs\/a: it out-covers step 13000 of run runs\/a by a factor 16 on \d+\.\d% of samples/,
  );
  assert.match(
    a.verdict,
    /Coverage columns are comparable across runs: every run measures them against the same reference values \(generator\)\.$/,
  );
  // The JSON shape the issue asks for, and nothing else.
  assert.deepEqual(Object.keys(a), ['selectionN', 'dev', 'resolved', 'suggested', 'minCrossEntropy', 'verdict', 'checkpoints']);
  assert.deepEqual(Object.keys(a.checkpoints[0]), ['run', 'step', 'path', 'cePerToken', 'tournamentScore', 'rivalRun', 'rivalStep']);
});

test('checkpoints with the same path in two runs stay apart; rivals name their run', () => {
  const early = all.slice(0, 6);
  const late = all.slice(6).map((c, i) => ({ ...c, step: early[i]?.step ?? c.step, path: early[i]?.path ?? c.path }));
  const a = buildAcross([run('early', early), run('late', late)]).across!;
  assert.equal(a.checkpoints.length, early.length + late.length);
  assert.equal(new Set(a.checkpoints.map((c) => `${c.run} ${c.path}`)).size, a.checkpoints.length);
  for (const c of a.checkpoints) {
    if (c.rivalRun === null) continue;
    assert.ok(a.checkpoints.some((x) => x.run === c.rivalRun && x.step === c.rivalStep));
  }
});

test('different eval sets: no comparison, and the reason names the runs', () => {
  const res = buildAcross([run('a', all.slice(0, 3)), run('b', all.slice(3, 6), { hash: 'other' }), run('c', all.slice(6, 9))]);
  assert.equal(res.across, null);
  assert.equal(
    res.acrossError,
    'the eval sets differ (by the hash of their token ids): runs a, c use one eval set, run b another; one tournament across runs needs one eval set, so each run is reported on its own',
  );
});

test('different selection N: no comparison, and the reason gives each', () => {
  const res = buildAcross([run('a', all.slice(0, 3)), run('b', all.slice(3, 6), { selectionN: 32 })]);
  assert.equal(res.across, null);
  assert.match(res.acrossError!, /different selection N \(a: 16, b: 32\)/);
});

test('the verdict calls coverage comparable across runs only with the same reference values', () => {
  const halves = (o: Parameters<typeof run>[2] = {}, p: Parameters<typeof run>[2] = {}) =>
    buildAcross([run('a', all.slice(0, 6), o), run('b', all.slice(6), p)]).across!.verdict;
  assert.match(halves(), /comparable across runs/);
  assert.match(halves({ reference: 'point-mass' }, { reference: 'point-mass' }), /comparable across runs: .*\(point-mass\)\.$/);
  const tour = halves({ reference: 'tournament' }, { reference: 'tournament' });
  assert.doesNotMatch(tour, /comparable/);
  assert.match(tour, /rCov columns are relative to that run's own suggestion/);
  const shifted = halves({}, { refLogprobs: ref.map((v) => v - 0.5) });
  assert.doesNotMatch(shifted, /comparable/);
  assert.match(shifted, /different reference values/);
  assert.doesNotMatch(halves({ reference: 'generator' }, { reference: 'point-mass' }), /comparable/);
});

test('a run given twice is a programming error; no checkpoints give no suggestion', () => {
  assert.throws(() => buildAcross([run('a', all.slice(0, 2)), run('a', all.slice(2, 4))]), /given twice/);
  const none = buildAcross([run('a', []), run('b', [])]).across!;
  assert.equal(none.suggested, null);
  assert.equal(none.dev, null);
  assert.equal(none.verdict, 'No checkpoints to compare.');
});
