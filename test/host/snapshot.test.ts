import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, compact, progressText } from '../../src/host/snapshot';
import type { RunReport } from '../../src/host/engine';
import { report as mkReport, reportRow } from './reportFixture';

const e = (step: number) => ({ step, path: `c${step}.onnx`, modelPath: `/r/c${step}.onnx`, dataPaths: [], sameStep: [] });
const fig = reportRow;
const progress = { done: 0, failed: 0, elsewhere: 0, total: 0, current: null, tokensPerSecond: null, provider: null };

test('rows carry the report figures, states, train tokens; failures in the report are failed rows', () => {
  const report: RunReport = mkReport({
    suggested: { step: 2, path: 'c2.onnx' },
    minCrossEntropy: { step: 3, path: 'c3.onnx' },
    checkpoints: [fig(2, 1.5, 0.1), fig(3, 1.2, 0.3)],
    failed: [{ step: 1, path: 'c1.onnx', reason: 'NaN logits' }],
  });
  const snap = buildSnapshot({
    version: 7,
    runName: 'r',
    runPath: '/r',
    entries: [e(3), e(1), e(2), e(4)],
    states: new Map([['c4.onnx', { state: 'scoring' as const }]]),
    report,
    tokensPerStep: 2048,
    nGrid: [1, 16],
    selectionN: 16,
    progress,
    problems: ['eval.jsonl:3: bad'],
    error: null,
    awaitingTrust: false,
    maxChartPoints: 400,
  });
  assert.deepEqual(
    snap.rows.map((r) => [r.step, r.state, r.cePerToken, r.trainTokens]),
    [
      [1, 'failed', null, 2048],
      [2, 'done', 1.5, 4096],
      [3, 'done', 1.2, 6144],
      [4, 'scoring', null, 8192],
    ],
  );
  assert.equal(snap.rows[0].reason, 'NaN logits');
  assert.equal(snap.rows[1].kl, 'Infinity');
  assert.deepEqual(
    [snap.reference, snap.dev, snap.suggested?.step, snap.minCrossEntropy?.step, snap.version],
    ['generator', 0.02, 2, 3, 7],
  );
  assert.deepEqual(snap.plotIndices, [0, 1, 2, 3]);
  assert.deepEqual(
    snap.rows.map((r) => r.model),
    ['onnx', 'onnx', 'onnx', 'onnx'],
  );
});

test("each row says how its checkpoint is stored: onnx, or safetensors with config.json's model_type", () => {
  const entries = [
    { ...e(1), format: 'safetensors' as const, modelType: 'gpt_neox' },
    { ...e(2), format: 'safetensors' as const },
    { ...e(3), format: 'onnx' as const },
  ];
  const snap = buildSnapshot({
    version: 1,
    runName: 'r',
    runPath: '/r',
    entries,
    states: new Map(),
    report: null,
    tokensPerStep: null,
    nGrid: [16],
    selectionN: 16,
    progress,
    problems: [],
    error: null,
    awaitingTrust: false,
    maxChartPoints: 400,
  });
  assert.deepEqual(
    snap.rows.map((r) => r.model),
    ['safetensors gpt_neox', 'safetensors', 'onnx'],
  );
});

test('long runs are downsampled but keep the suggested, lowest-CE and inspected checkpoints', () => {
  const entries = Array.from({ length: 1000 }, (_, i) => e(i + 1));
  const checkpoints = entries.map((x) => fig(x.step, 2 - x.step / 1000 + (x.step % 3) * 0.01, 0.5));
  const report: RunReport = mkReport({
    suggested: { step: 501, path: 'c501.onnx' },
    minCrossEntropy: { step: 997, path: 'c997.onnx' },
    checkpoints,
  });
  const snap = buildSnapshot({
    version: 1,
    runName: 'r',
    runPath: '/r',
    entries,
    states: new Map(),
    report,
    tokensPerStep: null,
    nGrid: [16],
    selectionN: 16,
    progress,
    problems: [],
    error: null,
    awaitingTrust: false,
    maxChartPoints: 50,
    inspecting: 'c123.onnx',
  });
  assert.equal(snap.rows.length, 1000);
  assert.ok(snap.plotIndices.length <= 53);
  for (const step of [501, 997, 123]) assert.ok(snap.plotIndices.includes(step - 1), `step ${step}`);
});

test('status bar text', () => {
  assert.equal(progressText(progress), null);
  assert.equal(
    progressText({
      ...progress,
      done: 2,
      total: 40,
      current: { path: 'x', step: 1, samples: 1, totalSamples: 9 },
      tokensPerSecond: 12_345,
    }),
    'scoring 3/40 · 12k tok/s',
  );
  assert.equal(progressText({ ...progress, done: 38, failed: 2, elsewhere: 0, total: 40 }), '38 scored, 2 failed');
  assert.equal(progressText({ ...progress, done: 0, total: 40 }), '0/40 scored', 'queued, nothing running yet: not "scoring 0/40"');
  assert.equal(progressText({ ...progress, done: 37, elsewhere: 3, total: 40 }), '37/40 scored · 3 elsewhere');
  assert.equal(
    progressText({
      ...progress,
      done: 30,
      elsewhere: 3,
      total: 40,
      current: { path: 'x', step: 1, samples: 1, totalSamples: 9 },
      tokensPerSecond: 1000,
    }),
    'scoring 31/40 · 1k tok/s · 3 elsewhere',
  );
  assert.deepEqual([950, 1234, 12_345, 1_530_000].map(compact), ['950', '1.2k', '12k', '1.5M']);
});
