// The commands and surfaces the other stories do not touch: "Create Demo Run…" from the palette, the
// status bar entry while and after scoring, "Export Results…" and the panel's export buttons through
// the save dialogs. One page for the whole story; the demo is written outside the workspace so the
// other files' workspace stays as scripts/e2e.mjs made it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { e2eEnv } from './env';
import { launchWorkbench, type Browser } from './browser';
import { pickFolder, saveAs } from './dialogs';
import { chartData, chartPoints, findFrame, scoreRows, SCORING_MS, waitAllScored } from './panel';
import { recordStatusBarTexts, screenshot } from './recorders';
import { story, waitUntil } from './story';
import { assertNoErrors, notifications, pickQuickItem, runCommand, statusBarItem } from './workbench';
import { decodePng, dominantColourShare, PNG_SIGNATURE } from './png';
import { parseCsv } from '../support/csv';
import { listCheckpointDirs } from './run-files';
import { byTestId, TESTID, UI } from './testids';

const env = e2eEnv();
// What the demo is built to show (README, "The demo"): coverage says 6000, cross-entropy says 13000.
const DEMO = { checkpoints: 13, suggested: 6000, lowestCe: 13000 };
// Neither the settings nor the demo's coverage.json name an N grid: the documented default applies.
const DEFAULT_N_GRID = Array.from({ length: 21 }, (_, i) => 2 ** i);

/** The CSV export: one row per checkpoint in step order, every N of the grid as three columns. */
function checkCsv(file: string, steps: number[], ns: number[]): void {
  const [head, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const col = (name: string): number => {
    const i = head.indexOf(name);
    assert.ok(i >= 0, `${file}: no column ${name} in ${head.join(',')}`);
    return i;
  };
  assert.equal(rows.length, steps.length, `${file}: one row per checkpoint`);
  assert.ok(
    rows.every((r) => r.length === head.length),
    `${file}: every row has ${head.length} cells`,
  );
  assert.deepEqual(
    rows.map((r) => Number(r[col('step')])),
    steps,
    `${file}: steps in order`,
  );
  assert.ok(
    rows.every((r) => r[col('state')] === 'done'),
    `${file}: every checkpoint scored`,
  );
  const headNs = head
    .map((h) => /^cov_(\d+)$/.exec(h)?.[1])
    .filter((n) => n !== undefined)
    .map(Number);
  assert.deepEqual(headNs, ns, `${file}: the header names a cov_N column for each N`);
  for (const n of ns) for (const s of ['lo', 'hi']) col(`cov_${n}_${s}`);
  for (const r of rows) {
    for (const n of ns) {
      const v = Number(r[col(`cov_${n}`)]);
      assert.ok(v >= 0 && v <= 1, `${file}: step ${r[col('step')]} cov_${n} = ${r[col(`cov_${n}`)]} is a share`);
    }
  }
  assert.deepEqual(
    rows.filter((r) => r[col('suggested')] === '1').map((r) => Number(r[col('step')])),
    [DEMO.suggested],
    `${file}: suggested`,
  );
  assert.deepEqual(
    rows.filter((r) => r[col('lowest_ce')] === '1').map((r) => Number(r[col('step')])),
    [DEMO.lowestCe],
    `${file}: lowest_ce`,
  );
}

function checkJson(file: string, steps: number[], suggested: number): void {
  const j = JSON.parse(readFileSync(file, 'utf8')) as {
    suggested?: { step?: unknown };
    minCrossEntropy?: { step?: unknown };
    checkpoints?: { step: unknown }[];
  };
  assert.equal(j.suggested?.step, suggested, `${file}: suggested.step is the verdict's`);
  assert.equal(j.minCrossEntropy?.step, DEMO.lowestCe, `${file}: minCrossEntropy.step`);
  assert.deepEqual(
    j.checkpoints?.map((c) => c.step),
    steps,
    `${file}: every checkpoint`,
  );
}

/** '#rrggbb' or 'rgb(a)(r, g, b…)': the forms a `--vscode-*` colour reaches chart.js in. */
function rgbOf(colour: unknown): [number, number, number] {
  const s = String(colour).trim();
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(s);
  if (hex) return [1, 2, 3].map((i) => parseInt(hex[i], 16)) as [number, number, number];
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/.exec(s);
  if (rgb) return [1, 2, 3].map((i) => Number(rgb[i])) as [number, number, number];
  throw new Error(`curve colour ${s} is neither #rrggbb nor rgb()`);
}

interface DrawnCurve {
  colour: unknown;
  width: number;
  points: { x: number; y: number }[];
}

/** The first curve of a chart as chart.js drew it on the canvas: its colour and its points. */
async function drawnCurve(frame: Frame, testid: string): Promise<DrawnCurve> {
  const { width, points } = await chartPoints(frame, testid, 0);
  return { colour: (await chartData(frame, testid)).datasets[0].borderColor, width, points };
}

/**
 * A PNG file (by its signature, then decoded) that is not blank and shows the chart's first curve: a
 * pixel of its colour at every point chart.js placed (dataset 0 is drawn last, on top of the
 * markers). An axes-only chart, or one of other data, fails.
 */
function checkPng(file: string, curve: DrawnCurve): void {
  const png = readFileSync(file);
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), `${file} starts with the PNG signature`);
  const img = decodePng(png);
  const share = dominantColourShare(img);
  assert.ok(share < 0.995, `${file} (${img.width}×${img.height}) is not blank: ${(share * 100).toFixed(2)} % one colour`);
  const [r, g, b] = rgbOf(curve.colour);
  const scale = img.width / curve.width; // the canvas's device pixel ratio
  const isCurve = (x: number, y: number): boolean => {
    if (x < 0 || y < 0 || x >= img.width || y >= img.height) return false;
    const i = (y * img.width + x) * img.channels;
    const p = img.pixels;
    return (img.channels === 3 || p[i + 3] > 200) && Math.abs(p[i] - r) <= 8 && Math.abs(p[i + 1] - g) <= 8 && Math.abs(p[i + 2] - b) <= 8;
  };
  const missing = curve.points.filter(({ x, y }) => {
    const cx = Math.round(x * scale),
      cy = Math.round(y * scale);
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (isCurve(cx + dx, cy + dy)) return false;
    return true;
  });
  assert.equal(curve.points.length, DEMO.checkpoints, `${file}: the chart has a point per checkpoint`);
  assert.deepEqual(missing, [], `${file}: every point of the curve is drawn in ${String(curve.colour)}`);
}

describe('Create Demo Run…, the status bar and the exports', () => {
  let b: Browser;
  let page: Page;
  let frame: Frame;
  let status: Awaited<ReturnType<typeof recordStatusBarTexts>>;
  let suggested = NaN;
  let ns: number[] = [];
  const scenario = story('commands-', () => page);
  const noErrors = (): Promise<void> => assertNoErrors(page);
  // Outside the workspace: the other files' Explorer and runs stay as scripts/e2e.mjs made them.
  const parent = join(dirname(env.workspace), 'commands-demo');
  const runDir = join(parent, 'demo-run');
  const out = join(dirname(env.workspace), 'commands-exports');
  const steps = Array.from({ length: DEMO.checkpoints }, (_, i) => 1000 * (i + 1));

  before(async () => {
    mkdirSync(parent, { recursive: true });
    mkdirSync(join(out, 'command-png'), { recursive: true });
    b = await launchWorkbench(env);
    page = b.page;
  });
  after(() => b?.close('zz-commands-last'));

  scenario('"Create Demo Run…" writes the demo where the user picks and opens it in the panel', { timeout: 120_000 }, async () => {
    // From before the command: the entry's texts while scoring are gone within a second.
    status = await recordStatusBarTexts(page, UI.statusBarId);
    await runCommand(page, UI.createDemoRun);
    await pickFolder(page, parent, 30_000, 'commands-00-demo-folder-picker');
    await waitUntil(
      'the demo run on disk',
      async () =>
        listCheckpointDirs(runDir).length === DEMO.checkpoints &&
        existsSync(join(runDir, 'eval.jsonl')) &&
        existsSync(join(runDir, 'coverage.json')),
      { timeoutMs: 60_000, guard: noErrors },
    );
    assert.deepEqual(
      listCheckpointDirs(runDir).map((c) => c.step),
      steps,
    );
    // split() always yields one element, so count the non-empty lines.
    assert.ok(
      readFileSync(join(runDir, 'eval.jsonl'), 'utf8')
        .split('\n')
        .some((l) => l.trim() !== ''),
      'eval.jsonl has samples',
    );
    JSON.parse(readFileSync(join(runDir, 'coverage.json'), 'utf8'));
    frame = await findFrame(page, byTestId(TESTID.panel));
    await waitUntil(
      'the panel to show the new run',
      async () =>
        (await frame.locator(byTestId(TESTID.runTitle)).getAttribute('title')) === runDir &&
        (await scoreRows(frame)).length === DEMO.checkpoints,
      { timeoutMs: 60_000, guard: noErrors },
    );
    await screenshot(page, 'commands-01-demo-created');
  });

  scenario(
    'the demo is scored; the verdict suggests step 6000 over the lowest-CE step 13000',
    { timeout: SCORING_MS + 10_000 },
    async () => {
      await waitAllScored(page, frame, DEMO.checkpoints);
      const verdict = frame.locator(byTestId(TESTID.verdict));
      suggested = Number(await verdict.getAttribute('data-suggested-step'));
      assert.equal(suggested, DEMO.suggested, 'data-suggested-step');
      assert.equal(Number(await verdict.getAttribute('data-min-ce-step')), DEMO.lowestCe, 'data-min-ce-step');
      const text = (await verdict.textContent()) ?? '';
      assert.match(text, new RegExp(`\\b${DEMO.suggested}\\b[^]*\\b${DEMO.lowestCe}\\b`), 'the verdict text names both steps');
      ns = (
        await frame
          .locator(`${byTestId(TESTID.nChoice)} [data-testid^="n-"]`)
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''))
      ).map((id) => Number(id.slice(2)));
      assert.deepEqual(ns, DEFAULT_N_GRID, 'the panel offers the default N grid');
      await screenshot(page.locator('iframe.webview.ready').first(), 'commands-02-scored');
    },
  );

  scenario('the status bar shows the execution provider and the progress, then the count scored', { timeout: 30_000 }, async () => {
    const item = statusBarItem(page, UI.statusBarId);
    const done = new RegExp(`^(\\S+) · ${DEMO.checkpoints} scored$`);
    const final = await waitUntil(
      'the status bar to say every checkpoint is scored',
      async () => done.exec(((await item.textContent()) ?? '').trim()) ?? undefined,
      { timeoutMs: 10_000, guard: noErrors },
    );
    const texts = await status.stop();
    const shown = texts.length > 6 ? [...texts.slice(0, 3), `(${texts.length - 5} more)`, ...texts.slice(-2)] : texts;
    console.log(`status bar texts: ${shown.map((t) => JSON.stringify(t)).join(' → ')}`);
    const provider = final[1];
    assert.match(provider, /^(cpu|cuda|webgpu)$/, 'an execution provider');
    const progress = texts.map((t) => /· scoring (\d+)\/(\d+)/.exec(t)).filter((m) => m !== null);
    assert.ok(progress.length > 0, `a "scoring k/${DEMO.checkpoints}" text while scoring; saw ${texts.join(' | ')}`);
    assert.ok(
      progress.every((m) => Number(m[2]) === DEMO.checkpoints),
      'progress counts every checkpoint',
    );
    const ks = progress.map((m) => Number(m[1]));
    assert.ok(
      ks.every((k, i) => k >= 1 && k <= DEMO.checkpoints && (i === 0 || k >= ks[i - 1])),
      `progress never goes back: ${ks.join(', ')}`,
    );
    assert.equal(texts[texts.length - 1], final[0], 'the last text is the final one');
    await screenshot(item, 'commands-03-status-bar');
  });

  scenario('"Export Results…" writes the CSV, the JSON and a PNG of each chart', { timeout: 90_000 }, async () => {
    const csv = join(out, 'command.csv'),
      json = join(out, 'command.json'),
      pngDir = join(out, 'command-png');
    await runCommand(page, UI.exportResults);
    await pickQuickItem(page, 'CSV');
    await saveAs(page, csv, { shot: 'commands-04-export-command-csv-dialog' });
    await runCommand(page, UI.exportResults);
    await pickQuickItem(page, 'JSON');
    await saveAs(page, json);
    await runCommand(page, UI.exportResults);
    await pickQuickItem(page, 'PNG');
    await pickFolder(page, pngDir, 30_000, 'commands-05-export-command-png-folder');
    const pngs = ['coverage.png', 'cross-entropy.png'];
    await waitUntil('both chart images', async () => JSON.stringify(readdirSync(pngDir).sort()) === JSON.stringify(pngs), {
      timeoutMs: 30_000,
      guard: noErrors,
    });
    await waitUntil(
      'the "Saved 2 charts" message',
      async () => (await notifications(page)).some((m) => m.includes(`Saved 2 charts to ${pngDir}`)),
      { timeoutMs: 10_000 },
    );
    checkCsv(csv, steps, ns);
    checkJson(json, steps, suggested);
    for (const [p, id] of [
      ['coverage.png', TESTID.chartCoverage],
      ['cross-entropy.png', TESTID.chartCe],
    ] as const) {
      checkPng(join(pngDir, p), await drawnCurve(frame, id));
    }
    await assertNoErrors(page);
    await screenshot(page, 'commands-06-export-command');
  });

  scenario("the panel's Export CSV, Export JSON and Save charts as PNG buttons write the same", { timeout: 90_000 }, async () => {
    const csv = join(out, 'panel.csv'),
      json = join(out, 'panel.json');
    await frame.locator(byTestId(TESTID.exportCsv)).click();
    assert.equal(await saveAs(page, csv), `${runDir}-coverage.csv`, 'the dialog proposes <run>-coverage.csv');
    await frame.locator(byTestId(TESTID.exportJson)).click();
    assert.equal(await saveAs(page, json), `${runDir}-coverage.json`, 'the dialog proposes <run>-coverage.json');
    await frame.locator(byTestId(TESTID.exportPng)).click();
    // One save dialog per chart, in the panel's order; no inspect view is open, so two.
    for (const [shot, name, id] of [
      [7, 'cross-entropy', TESTID.chartCe],
      [8, 'coverage', TESTID.chartCoverage],
    ] as const) {
      const file = join(out, `panel-${name}.png`);
      const proposed = await saveAs(page, file, { shot: `commands-0${shot}-export-panel-${name}-dialog` });
      assert.equal(proposed, `${runDir}-${name}.png`, `the dialog names the ${name} chart`);
      checkPng(file, await drawnCurve(frame, id));
    }
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no third save dialog');
    checkCsv(csv, steps, ns);
    checkJson(json, steps, suggested);
    assert.equal(
      readFileSync(csv, 'utf8'),
      readFileSync(join(out, 'command.csv'), 'utf8'),
      'the button and the command write the same CSV',
    );
    assert.equal(
      readFileSync(json, 'utf8'),
      readFileSync(join(out, 'command.json'), 'utf8'),
      'the button and the command write the same JSON',
    );
    await assertNoErrors(page);
    await screenshot(page, 'commands-09-export-panel');
  });
});
