// The panel with several runs: a line per run in each chart (a colour per run, its N told apart
// by dashes), one suggestion marker (the comparison's), the table's run column, its sort and its
// run filter, and the lines that sum the runs up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AcrossSnapshot, CheckpointRow, PanelRun, PanelSnapshot } from '../../src/shared/protocol';
import { runColour, runThemeColour } from '../../src/shared/runColours';
import { DEFAULT_UI_STATE } from '../../src/shared/uiState';
import { curveData, progressLine, runWarnings, verdictText } from '../../webview/shaping';
import { nextSort, tableColumns, tableRows } from '../../webview/tableShaping';
import { testRunSnapshot } from '../support/snapshots';

const row = (step: number, ce: number | null, cov16: number | null, extra: Partial<CheckpointRow> = {}): CheckpointRow => ({
  step,
  path: `step-${step}/model.onnx`,
  state: ce === null ? 'queued' : 'done',
  model: 'onnx',
  trainTokens: step * 10,
  samples: 10,
  evalTokens: 100,
  cePerToken: ce,
  cePerSequence: ce,
  kl: null,
  coverage: cov16 === null ? {} : { '2': cov16 * 2, '16': cov16 },
  coverageInterval: {},
  passAt: null,
  tournamentScore: 0.5,
  rivalStep: 1,
  ...extra,
});

function run(name: string, colour: number, rows: CheckpointRow[], extra: Partial<PanelRun> = {}): PanelRun {
  return {
    ...testRunSnapshot(rows, {
      runName: name,
      runPath: `/sweep/${name}`,
      nGrid: [2, 16],
      dev: 0.01,
      resolved: true,
      // Each run's own suggestion: the panel must not mark these with several runs open.
      verdict: `own verdict of ${name}`,
      suggested: { step: rows[0].step, path: rows[0].path },
    }),
    label: name,
    colour,
    ...extra,
  };
}

const a = run('lr-0.8', 0, [row(100, 3, 0.5), row(200, 2, 0.3)]);
const b = run('lr-1', 1, [row(100, 2.5, 0.4), row(200, 1.5, 0.1), row(300, null, null)]);
const c = run('lr-1.25', 2, [row(100, 2.2, 0.2), row(200, 1.2, 0.6)]);
const across: AcrossSnapshot = {
  selectionN: 16,
  dev: 0.02,
  resolved: true,
  verdict: 'Suggested step 200 of run lr-1, not the lowest-cross-entropy step 200 of run lr-1.25: …',
  suggested: { run: b.runPath, step: 200, path: b.rows[1].path },
  minCrossEntropy: { run: c.runPath, step: 200, path: c.rows[1].path },
  checkpoints: [a, b, c].flatMap((r) =>
    r.rows
      .filter((x) => x.state === 'done')
      .map((x) => ({ run: r.runPath, path: x.path, tournamentScore: (x.cePerToken as number) / 10, rivalRun: c.runPath, rivalStep: 200 })),
  ),
  pending: [],
};
const panel: PanelSnapshot = { version: 3, runs: [a, b, c], across, acrossError: null };

test("charts: one CE line per run in its colour; coverage lines per run and N, N by dash; one suggestion marker, the comparison's", () => {
  const d = curveData(panel, DEFAULT_UI_STATE);
  assert.deepEqual(
    d.ce.map((s) => [s.label, s.tone, s.points.length]),
    [
      ['lr-0.8', { run: 0 }, 2],
      ['lr-1', { run: 1 }, 2],
      ['lr-1.25', { run: 2 }, 2],
    ],
  );
  assert.deepEqual(
    d.ce[1].points.map((p) => [p.x, p.y, p.run]),
    [
      [100, 2.5, b.runPath],
      [200, 1.5, b.runPath],
    ],
  );
  assert.deepEqual(
    d.cov.map((s) => [s.label, s.tone, s.dash]),
    [
      ['lr-0.8 · Cov_2', { run: 0 }, 0],
      ['lr-0.8 · Cov_16', { run: 0 }, 1],
      ['lr-1 · Cov_2', { run: 1 }, 0],
      ['lr-1 · Cov_16', { run: 1 }, 1],
      ['lr-1.25 · Cov_2', { run: 2 }, 0],
      ['lr-1.25 · Cov_16', { run: 2 }, 1],
    ],
  );
  assert.deepEqual(d.suggested, {
    ce: { x: 200, y: 1.5, step: 200, path: b.rows[1].path, run: b.runPath },
    cov: { x: 200, y: 0.1, step: 200, path: b.rows[1].path, run: b.runPath },
  });
  assert.equal(d.minCrossEntropy?.ce?.run, c.runPath);
  assert.deepEqual(d.byRun, { runs: [a, b, c].map((r) => ({ label: r.label, run: r.runPath, colour: r.colour })), ns: [2, 16] });
  // Until the comparison is built there is no marker: never a run's own suggestion.
  assert.equal(curveData({ ...panel, across: null }, DEFAULT_UI_STATE).suggested, null);
});

test('x in tokens only when every run knows its tokens per step; the note names the runs that do not', () => {
  const tokens = curveData(panel, { ...DEFAULT_UI_STATE, xAxis: 'tokens' });
  assert.equal(tokens.xLabel, 'training tokens');
  assert.deepEqual(
    tokens.ce[0].points.map((p) => p.x),
    [1000, 2000],
  );
  const noTokens = run('old', 3, [row(100, 1, 0.1, { trainTokens: null })]);
  const mixed = curveData({ ...panel, runs: [a, noTokens] }, { ...DEFAULT_UI_STATE, xAxis: 'tokens' });
  assert.equal(mixed.xLabel, 'step');
  assert.deepEqual(
    mixed.ce[0].points.map((p) => p.x),
    [100, 200],
  );
  assert.match(mixed.notes.join(' '), /No tokensPerStep in coverage.json of old: x is the step/);
});

test("table: a run column; every run's rows by run, then step; the score, rival and marks are the comparison's", () => {
  const cols = tableColumns(panel, [16]);
  assert.deepEqual(
    cols.map((x) => x.key),
    ['run', 'step', 'tokens', 'state', 'ce', 'kl', 'cov16', 'score', 'rival', 'mark'],
  );
  const rows = tableRows(panel, cols, DEFAULT_UI_STATE);
  assert.deepEqual(
    rows.map((r) => `${r.run.label}:${r.row.step}`),
    ['lr-0.8:100', 'lr-0.8:200', 'lr-1:100', 'lr-1:200', 'lr-1:300', 'lr-1.25:100', 'lr-1.25:200'],
  );
  const cell = (key: string, k: number) => cols.find((x) => x.key === key)!.cell(rows[k]);
  assert.equal(cell('run', 3), 'lr-1');
  assert.equal(cell('score', 3), '0.15');
  assert.equal(cell('rival', 3), 'lr-1.25 · 200');
  assert.equal(cell('score', 4), '—', 'not scored: not in the comparison');
  assert.deepEqual(rows.map((_, k) => cell('mark', k)).filter(Boolean), ['★ suggested', '▼ lowest CE']);
  assert.equal(cell('mark', 3), '★ suggested');
  assert.equal(cell('mark', 0), '', "a run's own suggestion is not marked when runs are compared");
});

test('table: sorted by a column (missing values last both ways, ties in run order) and narrowed to one run', () => {
  const cols = tableColumns(panel, [16]);
  const order = (ui: Partial<typeof DEFAULT_UI_STATE>) =>
    tableRows(panel, cols, { ...DEFAULT_UI_STATE, ...ui }).map((r) => `${r.run.label}:${r.row.step}`);
  assert.deepEqual(order({ sort: { key: 'ce', descending: false } }), [
    'lr-1.25:200',
    'lr-1:200',
    'lr-0.8:200',
    'lr-1.25:100',
    'lr-1:100',
    'lr-0.8:100',
    'lr-1:300',
  ]);
  assert.deepEqual(order({ sort: { key: 'ce', descending: true } }), [
    'lr-0.8:100',
    'lr-1:100',
    'lr-1.25:100',
    'lr-0.8:200',
    'lr-1:200',
    'lr-1.25:200',
    'lr-1:300',
  ]);
  assert.deepEqual(order({ sort: { key: 'run', descending: true } }), [
    'lr-1.25:100',
    'lr-1.25:200',
    'lr-1:100',
    'lr-1:200',
    'lr-1:300',
    'lr-0.8:100',
    'lr-0.8:200',
  ]);
  assert.deepEqual(order({ sort: { key: 'step', descending: false } }), [
    'lr-0.8:100',
    'lr-1:100',
    'lr-1.25:100',
    'lr-0.8:200',
    'lr-1:200',
    'lr-1.25:200',
    'lr-1:300',
  ]);
  assert.deepEqual(order({ runFilter: b.runPath }), ['lr-1:100', 'lr-1:200', 'lr-1:300']);
  assert.deepEqual(order({ runFilter: b.runPath, sort: { key: 'cov16', descending: false } }), ['lr-1:200', 'lr-1:100', 'lr-1:300']);
  assert.equal(order({ runFilter: '/gone' }).length, 7, 'a filter on a run no longer open shows every run');
  assert.equal(order({ sort: { key: 'nope', descending: false } })[0], 'lr-0.8:100');
  assert.deepEqual(
    [
      nextSort(null, 'ce'),
      nextSort({ key: 'ce', descending: false }, 'ce'),
      nextSort({ key: 'ce', descending: true }, 'ce'),
      nextSort({ key: 'ce', descending: true }, 'kl'),
    ],
    [{ key: 'ce', descending: false }, { key: 'ce', descending: true }, null, { key: 'kl', descending: false }],
  );
});

test('verdict and progress sum the runs up: the comparison, or why there is none', () => {
  assert.equal(verdictText(panel), `Across 3 runs: ${across.verdict}`);
  assert.equal(
    verdictText({ ...panel, across: { ...across, pending: ['lr-2 (nothing scored yet)'] } }),
    `Across 3 runs: ${across.verdict} Not compared yet: lr-2 (nothing scored yet).`,
  );
  assert.equal(
    verdictText({ ...panel, across: null, acrossError: 'the eval sets differ (by the hash of their token ids): …' }),
    'No comparison across the runs: the eval sets differ (by the hash of their token ids): ….',
  );
  assert.equal(verdictText({ ...panel, across: null }), 'Comparing the runs…');
  assert.equal(verdictText({ ...panel, runs: [a, { ...b, reportComplete: false }, c] }), `Across 3 runs: ${across.verdict} (updating…)`);
  assert.equal(progressLine(panel), '6 of 7 done in 3 runs · cpu');
  const busy = {
    ...b,
    progress: { ...b.progress, current: { path: b.rows[2].path, step: 300, samples: 40, totalSamples: 100 }, tokensPerSecond: 1234 },
  };
  assert.equal(
    progressLine({ ...panel, runs: [a, busy, c] }),
    'scoring lr-1 step 300: 40/100 samples · 1234 tok/s · 6 of 7 done in 3 runs · cpu',
  );
});

test("run colours: the theme's chart colours first, then fixed hues, wrapping around; never green or red", () => {
  const theme = (id: string) => `var(${id})`;
  assert.deepEqual(
    [0, 1, 2, 3].map((k) => runColour(k, theme)),
    ['var(charts.blue)', 'var(charts.orange)', 'var(charts.purple)', 'var(charts.yellow)'],
  );
  assert.equal(runThemeColour(4), null);
  assert.match(runColour(4, theme), /^#[0-9a-f]{6}$/);
  assert.equal(runColour(8, theme), runColour(0, theme));
  assert.ok([...Array(8).keys()].every((k) => !/green|red/.test(runThemeColour(k) ?? '')));
});

test('warnings: each message once, prefixed by the runs it concerns when there are several', () => {
  const thin = 'Cov_N for N ≥ 128 rests on fewer than 10 expected samples';
  const runs = [
    { ...a, warnings: [thin], problems: ['eval.jsonl:3: bad line'] },
    { ...b, warnings: [thin] },
    { ...c, warnings: ['only c'] },
  ];
  assert.deepEqual(runWarnings({ ...panel, runs }), [`lr-0.8, lr-1: ${thin}`, 'lr-0.8: eval.jsonl:3: bad line', 'lr-1.25: only c']);
  assert.deepEqual(runWarnings({ ...panel, runs: [runs[0]] }), [thin, 'eval.jsonl:3: bad line']);
});
