// The comparison the extension keeps across runs: built incrementally as runs gain, lose and
// rescore checkpoints, it must equal buildAcross from scratch (the CLI's) at every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramScores } from '../../src/core/demo/exact';
import { demoData } from '../../src/core/demo/run';
import { buildAcross, buildReportWithReference, type AcrossRunInput, type ReportCheckpointInput } from '../../src/core/report';
import { AcrossReporter } from '../../src/run/acrossReporter';

const data = demoData({ samples: 600 });
const ref = data.samples.map((s) => s.refLogprob!);
const all: ReportCheckpointInput[] = data.checkpoints.map((c) => ({
  step: c.step,
  path: c.path,
  scores: bigramScores(c.table, data.vocab, data.samples),
}));

function run(name: string, checkpoints: ReportCheckpointInput[], o: { hash?: string; selectionN?: number } = {}): AcrossRunInput {
  const { report, r } = buildReportWithReference({
    checkpoints,
    reference: 'generator',
    refLogprobs: ref,
    nGrid: [2, 16],
    selectionN: o.selectionN ?? 16,
    evalSamples: ref.length,
  });
  return { run: name, evalSetHash: o.hash ?? 'h', report, checkpoints, r };
}

test('built step by step as scores arrive, rescored and leave, it equals buildAcross from scratch', () => {
  const reporter = new AcrossReporter();
  const a = all.filter((_, i) => i % 2 === 0);
  const b = all.filter((_, i) => i % 2 === 1);
  // The same path in both runs (a sweep): the ids keep them apart.
  const c = all.slice(0, 4).map((x) => ({ ...x, scores: { ...x.scores, seqLogprob: x.scores.seqLogprob.map((v) => v - 0.01) } }));
  const rounds: AcrossRunInput[][] = [
    [run('a', []), run('b', [])],
    [run('a', a.slice(0, 2)), run('b', b.slice(0, 1))],
    [run('a', a), run('b', b.slice(0, 3)), run('c', c.slice(0, 2))],
    // b's second checkpoint replaced on disk and scored again: new arrays under the same path.
    [
      run('a', a),
      run(
        'b',
        b.map((x, i) => (i === 1 ? { ...x, scores: { ...x.scores, seqLogprob: x.scores.seqLogprob.map((v) => v - 3) } } : x)),
      ),
      run('c', c),
    ],
    // A run removed from the panel, and one of a's checkpoints deleted.
    [run('a', a.slice(1)), run('c', c)],
  ];
  for (const [k, runs] of rounds.entries()) {
    const got = reporter.build(runs);
    assert.deepEqual(got, buildAcross(runs), `round ${k}`);
    assert.equal(
      reporter.currentTournament?.size,
      runs.reduce((s, r) => s + r.report.checkpoints.length, 0),
    );
  }
});

test('eval sets that differ give the reason and drop the tournament; agreeing again starts a fresh one', () => {
  const reporter = new AcrossReporter();
  const bad = reporter.build([run('a', all.slice(0, 2)), run('b', all.slice(2, 4), { hash: 'other' })]);
  assert.equal(bad.across, null);
  assert.match(bad.acrossError!, /eval sets differ/);
  assert.equal(reporter.currentTournament, null);
  const runs = [run('a', all.slice(0, 2)), run('b', all.slice(2, 4))];
  assert.deepEqual(reporter.build(runs), buildAcross(runs));
  // Another selection N: the old counts are useless, the numbers are still buildAcross's.
  const at32 = [run('a', all.slice(0, 2), { selectionN: 32 }), run('b', all.slice(2, 4), { selectionN: 32 })];
  assert.deepEqual(reporter.build(at32), buildAcross(at32));
  assert.equal(reporter.currentTournament!.selectionN, 32);
});
