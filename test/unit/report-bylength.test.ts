// The report's byLength figures against a direct computation on stored per-sample scores: the
// demo's exact bigram scores are written to and read back from the store format, the quartile
// bounds are found by counting (the smallest length with at least q·n/4 samples at or below it),
// and CE and Cov_N are summed sample by sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramScores } from '../../src/core/demo/exact';
import { demoData } from '../../src/core/demo/run';
import { lengthQuartileBounds } from '../../src/core/metrics';
import { buildReport, type ReportCheckpointInput } from '../../src/core/report';
import { decodeScoreRecord, encodeScoreRecord } from '../../src/core/store';
import type { CheckpointScores } from '../../src/core/types';
import { TEST_KEY, testRecord } from '../support/scores';

/** Scores as the report reads them from the store: encoded to a score file and decoded. */
function stored(scores: CheckpointScores): CheckpointScores {
  const r = decodeScoreRecord(encodeScoreRecord(testRecord(scores)), TEST_KEY);
  if (!r.ok) throw new Error(r.reason);
  return r.record.scores;
}

/** The smallest length ℓ with #{i : len(i) ≤ ℓ} ≥ q·n/4: the bound written as a count. */
function boundByCounting(lengths: number[], q: number): number {
  const values = [...new Set(lengths)].sort((a, b) => a - b);
  return values.find((l) => lengths.filter((x) => x <= l).length * 4 >= q * lengths.length)!;
}

const data = demoData({ samples: 1500 });
const ref = data.samples.map((s) => s.refLogprob!);
const cps: ReportCheckpointInput[] = data.checkpoints.map((c) => ({
  step: c.step,
  path: c.path,
  scores: stored(bigramScores(c.table, data.vocab, data.samples)),
}));
const nGrid = [1, 2, 16, 256];

test('byLength equals quartiles and figures computed sample by sample from the stored scores', () => {
  const rep = buildReport({ checkpoints: cps, reference: 'generator', refLogprobs: ref, nGrid, selectionN: 16 });
  const lengths = [...cps[0].scores.tokenCounts];
  const bounds = [1, 2, 3].map((q) => boundByCounting(lengths, q));
  // Demo responses are 12–20 tokens long: many ties, so the quartiles are unequal but never split a length.
  assert.ok(new Set(lengths).size < 10);
  const quartileOf = (len: number) => (len <= bounds[0] ? 1 : len <= bounds[1] ? 2 : len <= bounds[2] ? 3 : 4);
  for (const c of rep.checkpoints) {
    const s = cps.find((x) => x.path === c.path)!.scores;
    assert.equal(c.byLength.length, 4);
    for (const q of c.byLength) {
      const idx = lengths.map((len, i) => (quartileOf(len) === q.quartile ? i : -1)).filter((i) => i >= 0);
      assert.equal(q.samples, idx.length, `step ${c.step} quartile ${q.quartile}: samples`);
      if (idx.length === 0) {
        assert.deepEqual([q.minTokens, q.maxTokens, q.cePerToken, q.coverage], [null, null, null, {}]);
        continue;
      }
      assert.equal(q.minTokens, Math.min(...idx.map((i) => lengths[i])));
      assert.equal(q.maxTokens, Math.max(...idx.map((i) => lengths[i])));
      let logp = 0;
      let tokens = 0;
      for (const i of idx) {
        logp += s.seqLogprob[i];
        tokens += s.tokenCounts[i];
      }
      assert.ok(
        Math.abs((q.cePerToken as number) - -logp / tokens) <= 1e-12,
        `step ${c.step} quartile ${q.quartile}: CE ${q.cePerToken} vs ${-logp / tokens}`,
      );
      for (const N of nGrid) {
        const under = idx.filter((i) => ref[i] - s.seqLogprob[i] >= Math.log(N)).length;
        assert.equal(q.coverage[String(N)], under / idx.length, `step ${c.step} quartile ${q.quartile}: Cov_${N}`);
      }
    }
    // The quartiles partition the samples the report uses.
    assert.equal(
      c.byLength.reduce((a, q) => a + q.samples, 0),
      c.samples,
    );
  }
});

test('quartile bounds are the order statistics ℓ(⌈q·n/4⌉); equal lengths share one quartile', () => {
  const all = (xs: number[]) => Int32Array.from(xs.keys());
  assert.deepEqual(lengthQuartileBounds([5, 1, 4, 2, 3, 8, 7, 6], all([0, 0, 0, 0, 0, 0, 0, 0])), [2, 4, 6]);
  assert.deepEqual(lengthQuartileBounds([1, 2, 3, 4, 5], all([0, 0, 0, 0, 0])), [2, 3, 4]);
  assert.deepEqual(lengthQuartileBounds([7], all([0])), [7, 7, 7]);
  assert.equal(lengthQuartileBounds([1, 2], new Int32Array(0)), null);
  // Only the samples in the set count.
  assert.deepEqual(lengthQuartileBounds([100, 1, 2, 3, 4], Int32Array.from([1, 2, 3, 4])), [1, 2, 3]);

  // Every response of one length: one full quartile and three empty ones.
  const same: ReportCheckpointInput = {
    step: 1,
    path: 'a.onnx',
    scores: {
      seqLogprob: Float64Array.from([-1, -2, -3]),
      tokenCounts: Uint32Array.from([4, 4, 4]),
      tokenOffsets: Uint32Array.from([0, 4, 8, 12]),
      tokenLogprobs: new Float32Array(12),
    },
  };
  const rep = buildReport({ checkpoints: [same], reference: 'point-mass', nGrid: [2] });
  assert.deepEqual(
    rep.checkpoints[0].byLength.map((q) => q.samples),
    [3, 0, 0, 0],
  );
  assert.equal(rep.checkpoints[0].byLength[0].cePerToken, 6 / 12);
});

test('tournament mode: byLength coverage is relative to the suggested checkpoint, like the columns', () => {
  const rep = buildReport({ checkpoints: cps, reference: 'tournament', nGrid, selectionN: 16 });
  const sug = rep.checkpoints.find((c) => c.path === rep.suggested!.path)!;
  for (const q of sug.byLength) if (q.samples > 0) assert.equal(q.coverage['1'], 1, 'L = 0 ≥ ln 1 on every sample');
  const other = rep.checkpoints.find((c) => c.path !== rep.suggested!.path)!;
  const rs = cps.find((x) => x.path === rep.suggested!.path)!.scores.seqLogprob;
  const s = cps.find((x) => x.path === other.path)!.scores.seqLogprob;
  const q4 = other.byLength[3];
  const lengths = [...cps[0].scores.tokenCounts];
  const idx = lengths.map((len, i) => (len >= q4.minTokens! ? i : -1)).filter((i) => i >= 0);
  assert.equal(q4.coverage['16'], idx.filter((i) => rs[i] - s[i] >= Math.log(16)).length / idx.length);
});
