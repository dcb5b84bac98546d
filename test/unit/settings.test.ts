import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, SETTING_KEYS, coerceSettings } from '../../src/core/settings';

test('empty configuration gives the defaults and no problems', () => {
  assert.deepEqual(coerceSettings({}), { settings: DEFAULT_SETTINGS, problems: [] });
});

test('valid values are taken, trimmed and normalised', () => {
  const { settings, problems } = coerceSettings({
    evalSet: ' data/dev.jsonl ',
    reference: 'point-mass',
    nGrid: [16, 1, 4, 4],
    selectionN: 8,
    executionProvider: 'cpu',
    tokenBudget: 4096,
    threads: 2,
    polling: true,
    storeLocation: '/tmp/scores',
    maxChartPoints: 50,
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    evalSet: 'data/dev.jsonl',
    reference: 'point-mass',
    nGrid: [1, 4, 16],
    selectionN: 8,
    executionProvider: 'cpu',
    tokenBudget: 4096,
    threads: 2,
    polling: 'always',
    storeLocation: '/tmp/scores',
    maxChartPoints: 50,
  });
  assert.equal(coerceSettings({ reference: 'ref/big.onnx' }).settings.reference, 'ref/big.onnx');
  assert.equal(coerceSettings({ selectionN: 0 }).problems.length, 0);
});

test('each bad value falls back to its default with a message naming the key and what was expected', () => {
  const { settings, problems } = coerceSettings({
    reference: 'oracle',
    nGrid: [0.5, 2],
    selectionN: 1,
    executionProvider: 'tpu',
    tokenBudget: 1.5,
    threads: -1,
    polling: 'sometimes',
    evalSet: 3,
  });
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  const text = problems.join('\n');
  for (const k of ['reference', 'nGrid', 'selectionN', 'executionProvider', 'tokenBudget', 'threads', 'polling', 'evalSet']) {
    assert.match(text, new RegExp(`checkpointCoverage\\.${k}: expected`), k);
  }
  assert.match(text, /executionProvider: expected one of auto, cuda, webgpu, cpu, got "tpu"/);
});

test("package.json's setting defaults are exactly DEFAULT_SETTINGS once coerced, so the Settings editor shows what the extension uses", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
  };
  const raw: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(pkg.contributes.configuration.properties)) {
    assert.ok('default' in p, `${name} declares a default`);
    raw[name.replace(/^checkpointCoverage\./, '')] = p.default;
  }
  // config.ts reads SETTING_KEYS only: a declared key it does not read, or one it reads that is not declared, is drift too.
  assert.deepEqual(Object.keys(raw).sort(), [...SETTING_KEYS].sort());
  assert.deepEqual(coerceSettings(raw), { settings: DEFAULT_SETTINGS, problems: [] });
});
