import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, coerceSettings } from '../../src/host/settings';

test('empty configuration gives the defaults and no problems', () => {
  assert.deepEqual(coerceSettings({}), { settings: DEFAULT_SETTINGS, problems: [] });
});

test('valid values are taken, trimmed and normalised', () => {
  const { settings, problems } = coerceSettings({
    evalSet: ' data/dev.jsonl ', reference: 'point-mass', nGrid: [16, 1, 4, 4], selectionN: 8, executionProvider: 'cpu',
    tokenBudget: 4096, threads: 2, polling: true, storeLocation: '/tmp/scores', maxChartPoints: 50,
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    evalSet: 'data/dev.jsonl', reference: 'point-mass', nGrid: [1, 4, 16], selectionN: 8, executionProvider: 'cpu',
    tokenBudget: 4096, threads: 2, polling: 'always', storeLocation: '/tmp/scores', maxChartPoints: 50,
  });
  assert.equal(coerceSettings({ reference: 'ref/big.onnx' }).settings.reference, 'ref/big.onnx');
  assert.equal(coerceSettings({ selectionN: 0 }).problems.length, 0);
});

test('each bad value falls back to its default with a message naming the key and what was expected', () => {
  const { settings, problems } = coerceSettings({
    reference: 'oracle', nGrid: [0.5, 2], selectionN: 1, executionProvider: 'tpu', tokenBudget: 1.5, threads: -1, polling: 'sometimes', evalSet: 3,
  });
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  const text = problems.join('\n');
  for (const k of ['reference', 'nGrid', 'selectionN', 'executionProvider', 'tokenBudget', 'threads', 'polling', 'evalSet']) {
    assert.match(text, new RegExp(`checkpointCoverage\\.${k}: expected`), k);
  }
  assert.match(text, /executionProvider: expected one of auto, cuda, webgpu, cpu, got "tpu"/);
});
