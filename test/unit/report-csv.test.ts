// The one CSV writer (src/core/report/render.ts): `report --csv` and the extension's export.
// Checked by parsing the output back (RFC 4180) and comparing with the report's own figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, formatReportCsv, type ReportCheckpointInput } from '../../src/core/report';
import { buildSnapshot } from '../../src/host/snapshot';
import { figuresCsv } from '../../src/host/exportFigures';
import type { CheckpointEntry } from '../../src/core/types';
import { parseCsv } from '../support/csv';
import { testScores } from '../support/scores';

const cps: ReportCheckpointInput[] = [
  { step: 200, path: '=HYPERLINK("http://x")', scores: testScores([-1, -1, -1, -Infinity], 2) },
  { step: 100, path: '-2+3', scores: testScores([-1.5, -1.5, -1.5, -1.5], 2) },
  { step: 300, path: "@SUM(A1)'s", scores: testScores([-1.2, -1.4, -1.3, -1.6], 2) },
];
const rep = buildReport({
  checkpoints: cps,
  reference: 'generator',
  refLogprobs: [-1.4, -1.4, -1.4, -1.4],
  nGrid: [1, 16],
  selectionN: 16,
});

test('report CSV: a text cell that a spreadsheet would run as a formula starts with an apostrophe; numbers stay numbers', () => {
  const [head, ...rows] = parseCsv(formatReportCsv(rep));
  const col = (name: string) => head.indexOf(name);
  assert.deepEqual(
    rows.map((r) => r[col('path')]),
    ["'-2+3", `'=HYPERLINK("http://x")`, "'@SUM(A1)'s"],
  );
  for (const r of rows) assert.doesNotMatch(r[col('path')], /^[=+\-@]/);
  // Values from the report itself: negative numbers are not text, "Infinity" is written as such.
  rows.forEach((r, j) => {
    const c = rep.checkpoints[j];
    assert.equal(r[col('step')], String(c.step));
    assert.equal(r[col('kl')], String(c.kl));
    assert.equal(r[col('ce_bits_per_token')], String(c.ceBitsPerToken), 'bits per token as the report gives them');
    assert.equal(r[col('cov_16')], String(c.coverage['16']));
  });
  assert.ok(!head.includes('state') && !head.includes('reason'), "the extension's columns only on request");
});

test('extension export: the same writer with state, train_tokens and reason; every checkpoint in step order', () => {
  const entries: CheckpointEntry[] = [
    ...cps.map((c) => ({ step: c.step, path: c.path, modelPath: `/r/${c.path}`, dataPaths: [], sameStep: [] })),
    { step: 400, path: 'step-400.onnx', modelPath: '/r/step-400.onnx', dataPaths: [], sameStep: [] },
    { step: 50, path: 'step-50.onnx', modelPath: '/r/step-50.onnx', dataPaths: [], sameStep: [] },
  ];
  const snap = buildSnapshot({
    version: 1,
    runName: 'r',
    runPath: '/r',
    entries,
    report: rep,
    tokensPerStep: 1000,
    nGrid: rep.nGrid,
    selectionN: 16,
    states: new Map([
      [
        'step-400.onnx',
        { state: 'failed' as const, failure: { kind: 'bad-model' as const, checkpoint: 'step-400.onnx', message: '=bad model' } },
      ],
      ['step-50.onnx', { state: 'queued' as const }],
    ]),
    progress: { done: 3, failed: 1, elsewhere: 0, total: 5, current: null, tokensPerSecond: null, provider: null },
    problems: [],
    error: null,
    awaitingTrust: false,
    maxChartPoints: 100,
  });
  const [head, ...rows] = parseCsv(figuresCsv({ version: 1, runs: [{ ...snap, label: 'r', colour: 0 }], across: null, acrossError: null }));
  const core = parseCsv(formatReportCsv(rep))[0];
  assert.deepEqual(head, [...core.slice(0, 2), 'state', 'train_tokens', ...core.slice(2), 'reason']);
  for (const name of ['cov_1', 'cov_1_lo', 'cov_1_hi', 'cov_16', 'cov_16_lo', 'cov_16_hi', 'suggested', 'lowest_ce'])
    assert.ok(head.includes(name), name);
  const col = (name: string) => head.indexOf(name);
  assert.deepEqual(
    rows.map((r) => Number(r[col('step')])),
    [50, 100, 200, 300, 400],
  );
  assert.deepEqual(
    rows.map((r) => r[col('state')]),
    ['queued', 'done', 'done', 'done', 'failed'],
  );
  assert.deepEqual(
    rows.map((r) => r[col('train_tokens')]),
    ['50000', '100000', '200000', '300000', '400000'],
  );
  assert.deepEqual(
    rows.map((r) => r[col('reason')]),
    ['', '', '', '', "'=bad model"],
  );
  assert.deepEqual(
    rows.map((r) => r[col('suggested')]),
    rows.map((r) => (Number(r[col('step')]) === rep.suggested!.step ? '1' : '0')),
  );
  // A scored row carries exactly the report's figures.
  const byCore = new Map(
    parseCsv(formatReportCsv(rep))
      .slice(1)
      .map((r) => [r[0], r]),
  );
  for (const r of rows.slice(1, 4)) assert.deepEqual([...r.slice(0, 2), ...r.slice(4, -1)], byCore.get(r[0]));
  assert.ok(rows.every((r) => r.length === head.length));
});

test("extension export of several runs: a run column, each run's rows, then the comparison's columns, runs named by label", () => {
  const entries: CheckpointEntry[] = cps.map((c) => ({
    step: c.step,
    path: c.path,
    modelPath: `/r/${c.path}`,
    dataPaths: [],
    sameStep: [],
  }));
  const one = (runPath: string) =>
    buildSnapshot({
      version: 1,
      runName: 'seed-1',
      runPath,
      entries,
      report: rep,
      tokensPerStep: null,
      nGrid: rep.nGrid,
      selectionN: 16,
      states: new Map(),
      progress: { done: 3, failed: 0, elsewhere: 0, total: 3, current: null, tokensPerSecond: null, provider: null },
      problems: [],
      error: null,
      awaitingTrust: false,
      maxChartPoints: 100,
    });
  const [x, y] = ['/a/seed-1', '/b/seed-1'].map(one);
  const sug = { run: y.runPath, step: cps[1].step, path: cps[1].path };
  const csv = figuresCsv({
    version: 2,
    runs: [
      { ...x, label: 'a/seed-1', colour: 0 },
      { ...y, label: 'b/seed-1', colour: 1 },
    ],
    acrossError: null,
    across: {
      selectionN: 16,
      dev: 0.1,
      resolved: true,
      verdict: 'v',
      suggested: sug,
      minCrossEntropy: sug,
      pending: [],
      checkpoints: cps.map((c) => ({ run: y.runPath, path: c.path, tournamentScore: 0.25, rivalRun: x.runPath, rivalStep: cps[0].step })),
    },
  });
  const [head, ...rows] = parseCsv(csv);
  assert.deepEqual(head.slice(0, 5), ['run', 'step', 'path', 'state', 'train_tokens']);
  assert.deepEqual(head.slice(-5), ['across_score', 'across_rival_run', 'across_rival_step', 'across_suggested', 'across_lowest_ce']);
  const col = (name: string) => head.indexOf(name);
  assert.deepEqual(
    rows.map((r) => r[0]),
    [...cps.map(() => 'a/seed-1'), ...cps.map(() => 'b/seed-1')],
  );
  assert.deepEqual(
    rows.map((r) => r[col('across_suggested')]),
    rows.map((r) => (r[0] === 'b/seed-1' && r[col('step')] === String(sug.step) ? '1' : '0')),
  );
  assert.equal(rows.filter((r) => r[col('across_suggested')] === '1').length, 1);
  assert.deepEqual(
    rows.map((r) => r[col('across_rival_run')]),
    ['', '', '', 'a/seed-1', 'a/seed-1', 'a/seed-1'],
  );
  assert.ok(rows.every((r) => r.length === head.length));
});

test('the reader these checks use (test/support/csv.ts) reads RFC 4180 and refuses what is not', () => {
  assert.deepEqual(parseCsv('a,"b,""c""\nd",\r\n1,2,3'), [
    ['a', 'b,"c"\nd', ''],
    ['1', '2', '3'],
  ]);
  assert.deepEqual(parseCsv('"",x\n'), [['', 'x']]);
  assert.throws(() => parseCsv('a,b"c\n'), /CSV line 1: a quote inside an unquoted cell/);
  assert.throws(() => parseCsv('a,"b"c\n'), /CSV line 1: text after a closing quote/);
  assert.throws(() => parseCsv('a\n"b\n'), /CSV line 2: a quoted cell is never closed/);
});
