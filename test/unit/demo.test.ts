// The demo run's point, checked with exact float64 scores from the bigram tables (no
// onnxruntime): cross-entropy keeps falling, yet the tournament picks an earlier checkpoint that
// covers the generator's responses better, and the eval set is large enough to resolve it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CHAIN, makeChain } from '../../src/core/demo/chain';
import { DEMO_SCHEDULE, scaledSchedule } from '../../src/core/demo/checkpoints';
import { bigramScores } from '../../src/core/demo/exact';
import { createDemoRun, demoData, DEMO_MARKER } from '../../src/core/demo/run';
import { buildReport } from '../../src/core/report';
import { tempDir } from '../support/temp';

const data = demoData();
const report = buildReport({
  checkpoints: data.checkpoints.map((c) => ({ step: c.step, path: c.path, scores: bigramScores(c.table, data.vocab, data.samples) })),
  reference: 'generator',
  refLogprobs: data.samples.map((s) => s.refLogprob),
  selectionN: 16,
});
const row = (step: number) => report.checkpoints.find((c) => c.step === step)!;
const cov16 = (step: number) => row(step).coverage['16'];

test('the generator is a proper chain and ref_logprob is its exact log-probability', () => {
  const chain = makeChain(DEMO_CHAIN);
  const V = chain.vocab;
  for (let a = 0; a < V; a++) {
    let z = 0;
    for (let b = 0; b < V; b++) z += chain.P[a * V + b];
    assert.ok(Math.abs(z - 1) < 1e-12, `row ${a} sums to ${z}`);
  }
  for (const s of data.samples.slice(0, 200)) {
    let prev = s.promptIds[s.promptIds.length - 1];
    let lp = 0;
    for (const b of s.responseIds) {
      lp += Math.log(chain.P[prev * V + b]);
      prev = b;
    }
    assert.equal(s.refLogprob, lp);
  }
  // Rare continuations do occur in the data: the demo is about covering them.
  const rare = data.samples.filter((s) => {
    let prev = s.promptIds[s.promptIds.length - 1];
    return s.responseIds.some((b) => {
      const k = chain.kind[prev * V + b];
      prev = b;
      return k === 2;
    });
  }).length;
  assert.ok(rare / data.samples.length > 0.1, `share of samples with a rare continuation ${rare / data.samples.length}`);
});

test('cross-entropy falls at every step, to the last checkpoint', () => {
  assert.ok(report.checkpoints.length >= 12);
  const ce = report.checkpoints.map((c) => c.cePerToken as number);
  for (let k = 1; k < ce.length; k++) assert.ok(ce[k] < ce[k - 1], `CE at step ${report.checkpoints[k].step}: ${ce[k]} ≥ ${ce[k - 1]}`);
  assert.equal(report.minCrossEntropy!.step, DEMO_SCHEDULE[DEMO_SCHEDULE.length - 1].step);
});

test('the suggestion differs from the lowest-CE checkpoint, covers better by exact figures, and is resolved', () => {
  const sugg = report.suggested!.step;
  const minCe = report.minCrossEntropy!.step;
  assert.equal(report.differs, true);
  assert.notEqual(sugg, minCe);
  assert.equal(report.resolved, true, report.verdict);
  assert.ok(cov16(sugg) < cov16(minCe), `Cov_16 suggested ${cov16(sugg)} vs lowest-CE ${cov16(minCe)}`);
  // The lowest-CE checkpoint is not the best-covering one, at N = 16 nor at N = 256.
  for (const N of ['16', '256']) {
    const best = Math.min(...report.checkpoints.map((c) => c.coverage[N]));
    assert.ok(row(minCe).coverage[N] > best, `N=${N}`);
  }
  // Late checkpoints lose coverage of the rare continuations: Cov_16 rises after the suggestion.
  const late = report.checkpoints.filter((c) => c.step > sugg).map((c) => c.coverage['16']);
  assert.ok(late.every((v) => v > cov16(sugg) + 0.1));
  assert.match(report.verdict, new RegExp(`Suggested step ${sugg}, not the lowest-cross-entropy step ${minCe}`));
});

test('createDemoRun writes the run and refuses a folder it did not write', (t) => {
  const dir = tempDir(t);
  const run = createDemoRun(join(dir, 'run'), { samples: 50 });
  const lines = readFileSync(join(dir, 'run', 'eval.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 50);
  assert.deepEqual(lines[3].response_ids, run.samples[3].responseIds);
  assert.equal(lines[3].ref_logprob, run.samples[3].refLogprob, 'ref_logprob survives JSON exactly');
  const config = JSON.parse(readFileSync(join(dir, 'run', 'coverage.json'), 'utf8'));
  assert.equal(config.reference, 'generator');
  for (const c of run.checkpoints) assert.ok(existsSync(join(dir, 'run', c.path)), c.path);
  createDemoRun(join(dir, 'run'), { samples: 10 }); // replaces its own run
  assert.equal(
    readFileSync(join(dir, 'run', 'eval.jsonl'), 'utf8')
      .trim()
      .split('\n').length,
    10,
  );
  writeFileSync(join(dir, 'other.txt'), 'x');
  assert.throws(() => createDemoRun(dir), new RegExp(`not a demo run \\(no ${DEMO_MARKER}\\)`));
});

test('re-creating the demo run keeps its .coverage store and writes byte-identical models', (t) => {
  const dir = tempDir(t);
  const run = join(dir, 'run');
  const first = createDemoRun(run, { samples: 20 });
  const models = first.checkpoints.map((c) => readFileSync(join(run, c.path)));
  assert.ok(models.length >= 2);
  const stored = join(run, '.coverage', 'scores', 'kept.bin');
  mkdirSync(join(run, '.coverage', 'scores'), { recursive: true });
  writeFileSync(stored, 'scores of the last demo');
  const again = createDemoRun(run, { samples: 20 });
  assert.equal(readFileSync(stored, 'utf8'), 'scores of the last demo');
  assert.deepEqual(
    again.checkpoints.map((c) => c.path),
    first.checkpoints.map((c) => c.path),
  );
  // Same bytes, same hashes: the kept scores still match their checkpoints.
  again.checkpoints.forEach((c, i) => assert.ok(readFileSync(join(run, c.path)).equals(models[i]), c.path));
});

test('a sweep: other learning rates and checkpoint seeds change the checkpoints, never the eval set', (t) => {
  const dir = tempDir(t);
  const variants = [{}, { lr: 0.8 }, { lr: 1.25 }, { checkpointSeed: 5 }];
  const runs = variants.map((o, i) => createDemoRun(join(dir, `run-${i}`), { samples: 30, ...o }));
  const evalBytes = runs.map((r) => readFileSync(join(r.dir, 'eval.jsonl')));
  for (const b of evalBytes.slice(1)) assert.ok(b.equals(evalBytes[0]), 'the eval set is byte-identical');
  const model = (r: (typeof runs)[number], k: number) => readFileSync(join(r.dir, r.checkpoints[k].path));
  // Step 1000 of lr 0.8 holds the first state, like the demo's; every later one differs.
  for (const r of runs.slice(1)) assert.ok(r.checkpoints.some((_, k) => !model(r, k).equals(model(runs[0], k))));
  assert.deepEqual(
    runs.map((r) => r.checkpoints.map((c) => c.step)),
    runs.map(() => DEMO_SCHEDULE.map((s) => s.step)),
    'the same steps',
  );
  const marker = JSON.parse(readFileSync(join(runs[1].dir, DEMO_MARKER), 'utf8'));
  assert.equal(marker.lr, 0.8);
});

test('scaledSchedule: lr 1 is the schedule; lr 2 at step s is the state of step 2s; between states it interpolates; past the end the last holds', () => {
  assert.deepEqual(
    scaledSchedule(1),
    DEMO_SCHEDULE.map((s) => ({ ...s })),
  );
  const at = (lr: number, step: number) => scaledSchedule(lr).find((s) => s.step === step)!;
  const state = (step: number) => DEMO_SCHEDULE.find((s) => s.step === step)!;
  assert.deepEqual(at(2, 3000), { ...state(6000), step: 3000 });
  assert.deepEqual(at(2, 13000), { ...state(13000), step: 13000 });
  assert.deepEqual(at(0.5, 1000), { ...state(1000), step: 1000 });
  // lr 1.5 at step 5000 is half way from the state of step 7000 to that of 8000.
  const mid = at(1.5, 5000);
  assert.ok(Math.abs(mid.sigma - (state(7000).sigma + state(8000).sigma) / 2) < 1e-12);
  assert.ok(Math.abs(mid.alpha - Math.sqrt(state(7000).alpha * state(8000).alpha)) < 1e-12);
  assert.throws(() => scaledSchedule(0), /learning-rate factor/);
});
