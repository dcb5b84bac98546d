import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointRow, PanelSnapshot, RunSnapshot } from '../../src/shared/protocol';
import { DEFAULT_UI_STATE, restoreUiState } from '../../src/shared/uiState';
import {
  curveData as curves,
  nPresets as presets_,
  presetKey,
  shownN as shown_,
  tokenHeat,
  verdictText as verdict_,
  escapeBidi,
} from '../../webview/shaping';
import { tableColumns, type TableRow } from '../../webview/tableShaping';
import { testRunSnapshot } from '../support/snapshots';

const row = (step: number, ce: number | null, cov: Record<string, number>, state: CheckpointRow['state'] = 'done'): CheckpointRow => ({
  step,
  path: `s${step}.onnx`,
  state,
  model: 'onnx',
  trainTokens: step * 100,
  samples: 10,
  evalTokens: 100,
  cePerToken: ce,
  cePerSequence: ce,
  kl: null,
  coverage: cov,
  coverageInterval: Object.fromEntries(Object.entries(cov).map(([k, v]) => [k, [v / 2, v * 2]])),
  passAt: null,
  tournamentScore: 0.1,
  rivalStep: null,
});

/** One run in the panel, as the host sends it. */
const one = (s: RunSnapshot): PanelSnapshot => ({
  version: 1,
  runs: [{ ...s, label: s.runName, colour: 0 }],
  across: null,
  acrossError: null,
});
const curveData = (s: RunSnapshot, ui: typeof DEFAULT_UI_STATE) => {
  const c = curves(one(s), ui);
  // One run: one CE line and one coverage line per N, as before.
  return {
    ...c,
    ce: c.ce[0].points.map(({ run: _run, ...p }) => p),
    cov: c.cov.map((x) => ({ n: x.n!, label: x.label, points: x.points })),
  };
};
const shownN = (s: RunSnapshot, ui: typeof DEFAULT_UI_STATE) => shown_(one(s), ui);
const nPresets = (s: RunSnapshot) => presets_(one(s));
const verdictText = (s: RunSnapshot) => verdict_(one(s));

test('a verdict the report has not caught up with says so', () => {
  assert.equal(verdictText(snap([], { verdict: 'Suggested step 600.', reportComplete: false })), 'Suggested step 600. (updating…)');
  assert.equal(verdictText(snap([], { verdict: 'Suggested step 600.' })), 'Suggested step 600.');
});

function snap(rows: CheckpointRow[], extra: Partial<RunSnapshot> = {}): RunSnapshot {
  return testRunSnapshot(rows, { nGrid: [1, 2, 16, 256], dev: 0.01, resolved: true, ...extra });
}

test('curves: one point per scored plotted checkpoint, the exact report values, markers on the marked ones', () => {
  const rows = [
    row(0, 3, { '16': 0.5, '2': 0.7 }),
    row(10, 2, { '16': 0.2, '2': 0.4 }),
    row(20, 1.5, { '16': 0.3, '2': 0.5 }),
    row(30, null, {}, 'queued'),
  ];
  const s = snap(rows, { suggested: { step: 10, path: 's10.onnx' }, minCrossEntropy: { step: 20, path: 's20.onnx' } });
  const c = curveData(s, DEFAULT_UI_STATE);
  assert.deepEqual(
    c.ce.map((p) => [p.x, p.y]),
    [
      [0, 3],
      [10, 2],
      [20, 1.5],
    ],
  );
  assert.deepEqual(
    c.cov.map((x) => x.n),
    [2, 16],
  );
  assert.deepEqual(
    c.cov[1].points.map((p) => p.y),
    [0.5, 0.2, 0.3],
  );
  assert.deepEqual(c.suggested, {
    ce: { x: 10, y: 2, step: 10, path: 's10.onnx', run: '/r' },
    cov: { x: 10, y: 0.2, step: 10, path: 's10.onnx', run: '/r' },
  });
  assert.equal(c.byRun, null, 'one run: the legend names the curves, as before');
  assert.equal(c.minCrossEntropy?.ce?.y, 1.5);
  assert.match(c.covAxisLabel, /lower is better/);
});

test('covered toggle draws 1 − Cov_N and says so; tokens and log x move and drop points with a note', () => {
  const rows = [row(0, 3, { '16': 0.5 }), row(10, 2, { '16': 0.25 })];
  const s = snap(rows, { suggested: { step: 10, path: 's10.onnx' } });
  const c = curveData(s, { ...DEFAULT_UI_STATE, covered: true, xAxis: 'tokens', xScale: 'log' });
  assert.deepEqual(
    c.cov[0].points.map((p) => [p.x, p.y]),
    [[1000, 0.75]],
  );
  assert.match(c.cov[0].label, /covered/);
  assert.match(c.covAxisLabel, /higher is better/);
  assert.equal(c.xLabel, 'training tokens');
  assert.equal(c.suggested?.cov?.y, 0.75);
  assert.match(c.notes.join(' '), /1 checkpoint\(s\) at x = 0/);
});

test('only the host-chosen plot indices are drawn, and the note says so', () => {
  const rows = Array.from({ length: 10 }, (_, i) => row(i + 1, 10 - i, { '16': 0.1 }));
  const c = curveData(snap(rows, { plotIndices: [0, 4, 9] }), DEFAULT_UI_STATE);
  assert.deepEqual(
    c.ce.map((p) => p.step),
    [1, 5, 10],
  );
  assert.match(c.notes.join(' '), /Showing 3 of 10/);
});

test('shown N: the user choice if available, else 2, selection N, 256', () => {
  const s = snap([row(1, 1, { '1': 0.9, '2': 0.5, '16': 0.2, '256': 0.01 })]);
  assert.deepEqual(shownN(s, DEFAULT_UI_STATE), [2, 16, 256]);
  assert.deepEqual(shownN(s, { ...DEFAULT_UI_STATE, shownN: [1, 999] }), [1]);
});

test('N presets: default three, selection N, every 16×, all; each set once; any other set is custom', () => {
  const grid = Array.from({ length: 21 }, (_, i) => 2 ** i);
  const s = snap([row(1, 1, Object.fromEntries(grid.map((n) => [String(n), 0.1])))], { nGrid: grid });
  const presets = nPresets(s);
  assert.deepEqual(
    presets.map((p) => [p.key, p.ns]),
    [
      ['default', [2, 16, 256]],
      ['selection', [16]],
      ['every16', [1, 16, 256, 4096, 65536, 1048576]],
      ['all', grid],
    ],
  );
  assert.deepEqual(
    presets.map((p) => p.label),
    ['2, 16, 256', '16 (selection N)', '1, 16, 256, …, 1048576 (every 16×)', 'all 21'],
  );
  assert.equal(presetKey(presets, shownN(s, DEFAULT_UI_STATE)), 'default');
  assert.equal(presetKey(presets, [256, 2, 16]), 'default');
  assert.equal(presetKey(presets, [2, 4]), 'custom');
  // A small grid: sets that coincide are offered once.
  const small = snap([row(1, 1, { '16': 0.1 })], { nGrid: [16] });
  assert.deepEqual(
    nPresets(small).map((p) => p.key),
    ['default'],
  );
});

test("verdict: the report's verdict; without a report (as snapshots carry it: no verdict, no marks) why there is none yet; errors first", () => {
  const rows = [row(1, 2, { '16': 0.1 }), row(2, 1, { '16': 0.3 })];
  const verdict =
    'Suggested step 1, not the lowest-cross-entropy step 2: it out-covers step 2 by a factor 16 on 12.5% of samples (tournament score 0.1000 at N = 16, dev 0.0200).';
  const reported = {
    verdict,
    suggested: { step: 1, path: 's1.onnx' },
    minCrossEntropy: { step: 2, path: 's2.onnx' },
    suggestedOutcoversMinCe: 0.125,
  };
  assert.equal(verdictText(snap(rows, reported)), verdict);
  const noReport = { verdict: null, suggested: null, minCrossEntropy: null, dev: null, resolved: null };
  assert.equal(verdictText(snap(rows, noReport)), 'No suggestion yet.');
  assert.equal(verdictText(snap([row(1, null, {}, 'queued'), row(2, null, {}, 'scoring')], noReport)), 'No checkpoint scored yet.');
  assert.equal(verdictText(snap(rows, { ...reported, error: 'eval.jsonl: empty' })), 'Cannot score this run: eval.jsonl: empty');
});

test('table cells show exact figures with intervals, ∞ for infinite KL, failure reasons', () => {
  const r = { ...row(3, 1.23456789, { '16': 0.125 }), kl: 'Infinity' as const };
  const f = { ...row(4, null, {}, 'failed'), reason: 'NaN logits' };
  const s = one(snap([r, f], { suggested: { step: 3, path: 's3.onnx' } }));
  const cols = tableColumns(s, [16]);
  const line = (x: CheckpointRow): TableRow => ({ run: s.runs[0], row: x, across: null });
  const cells = (x: CheckpointRow) => Object.fromEntries(cols.map((c) => [c.key, c.cell(line(x))]));
  assert.deepEqual(cells(r), {
    step: '3',
    tokens: '300',
    state: 'done',
    ce: '1.2346',
    kl: '∞',
    cov16: '0.125',
    score: '0.1',
    rival: '—',
    mark: '★ suggested',
  });
  // The interval is a note the table shows under the value, so the table fits the panel.
  const notes = (x: CheckpointRow) => Object.fromEntries(cols.filter((c) => c.note).map((c) => [c.key, c.note!(line(x))]));
  assert.deepEqual(notes(r), { cov16: '[0.063, 0.25]' });
  assert.deepEqual(notes(f), { cov16: null });
  assert.equal(cells(f).cov16, '—');
  assert.equal(cells(f).state, 'failed: NaN logits');
});

test('UI state: restored field by field; version 1 (one run) becomes that run; unknown versions start fresh', () => {
  assert.deepEqual(restoreUiState(null), DEFAULT_UI_STATE);
  assert.deepEqual(restoreUiState({ version: 0, xAxis: 'tokens' }), DEFAULT_UI_STATE);
  assert.deepEqual(
    restoreUiState({ version: 1, runPath: '/r', xAxis: 'tokens', xScale: 'log', covered: true, shownN: [16, 'x'], inspecting: 's1.onnx' }),
    {
      ...DEFAULT_UI_STATE,
      runs: [{ path: '/r', colour: 0 }],
      xAxis: 'tokens',
      xScale: 'log',
      covered: true,
      shownN: [16],
      inspecting: { run: '/r', path: 's1.onnx' },
    },
  );
  const v2 = {
    version: 2,
    runs: [{ path: '/a', colour: 2 }, { path: 7 }, { path: '/b', colour: -1 }, { path: '/c', colour: 0 }],
    xAxis: 'step',
    xScale: 'linear',
    covered: false,
    shownN: [2],
    inspecting: { run: '/a', path: 'x.onnx' },
    sort: { key: 'ce', descending: true },
    runFilter: '/c',
  };
  assert.deepEqual(restoreUiState(v2), {
    ...v2,
    runs: [
      { path: '/a', colour: 2 },
      { path: '/c', colour: 0 },
    ],
  });
  assert.deepEqual(restoreUiState({ ...v2, inspecting: { run: 3 }, sort: { descending: true }, runFilter: 5 }), {
    ...v2,
    runs: [
      { path: '/a', colour: 2 },
      { path: '/c', colour: 0 },
    ],
    inspecting: null,
    sort: null,
    runFilter: null,
  });
});

test('token heat is 0 at probability 1 and saturates at −10 nats', () => {
  assert.deepEqual([0, -5, -10, -50, -Infinity].map(tokenHeat), [0, 0.5, 1, 1, 1]);
});

test('bidirectional controls become visible code points; other text is untouched', () => {
  assert.equal(escapeBidi('abc\u202Edef\u2066x\u2069'), 'abc⟨U+202E⟩def⟨U+2066⟩x⟨U+2069⟩');
  assert.equal(escapeBidi('<img src=x onerror=alert(1)> עברית'), '<img src=x onerror=alert(1)> עברית');
});
