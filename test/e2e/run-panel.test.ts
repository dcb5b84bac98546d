// The demo run as a user meets it: open it from the command palette, watch it score, read the
// verdict, inspect checkpoints, add a checkpoint, switch theme, reload. One browser page for the whole
// story (each fresh workbench costs ~10 s); the tests run in order and build on each other.
// The test ids are in testids.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { e2eEnv } from './env';
import { launchWorkbench, type Browser } from './browser';
import { pickFolder } from './dialogs';
import { chartData, clickChartPoint, findFrame, scoreRows, SCORING_MS, stepOf, waitAllScored } from './panel';
import { screenshot } from './recorders';
import { story, waitUntil } from './story';
import { assertNoErrors, runCommand, setColorTheme, treeItems, treePane } from './workbench';
import { decodePng, meanLuminance } from './png';
import { copyCheckpointInPieces, listCheckpointDirs, renameStep } from './run-files';
import { byTestId, TESTID, UI } from './testids';

const env = e2eEnv();

/** The suggested step in `checkpoint-coverage report --json` output. */
function suggestedStep(report: unknown): number {
  const r = report as { suggested?: { step?: unknown } };
  if (typeof r.suggested?.step !== 'number') {
    throw new Error(`report --json has no numeric suggested.step: ${JSON.stringify(report).slice(0, 300)}`);
  }
  return r.suggested.step;
}

async function rowSteps(frame: Frame): Promise<number[]> {
  return (await scoreRows(frame)).map((r) => r.step);
}

/** The step of the checkpoint the inspect view shows (it names it by path; the table maps path to step). */
async function inspectedStep(frame: Frame): Promise<number | undefined> {
  const path = await frame.locator(byTestId(TESTID.inspect)).getAttribute('data-path');
  return (await scoreRows(frame)).find((r) => r.path === path)?.step;
}

async function panelShot(page: Page, name: string): Promise<Buffer> {
  const target: Locator = page.locator('iframe.webview.ready').first();
  await screenshot(target, name);
  return target.screenshot();
}

describe('the demo run in the panel', () => {
  let b: Browser;
  let page: Page;
  let frame: Frame;
  let steps: number[] = [];
  const noErrors = (): Promise<void> => assertNoErrors(page);
  /** A scenario; when it fails, the workbench is saved as fail-<n>.png and the later ones fail fast. */
  const scenario = story('', () => page);

  before(async () => {
    steps = listCheckpointDirs(env.runDir).map((c) => c.step);
    b = await launchWorkbench(env);
    page = b.page;
  });
  after(() => b?.close('zz-last'));

  scenario('the extension activates and "Open Run…" runs from the command palette', { timeout: 120_000 }, async () => {
    await runCommand(page, UI.openRun);
    await pickFolder(page, env.runDir);
    await waitUntil('the panel', async () => (await page.locator('iframe.webview.ready').count()) > 0, {
      timeoutMs: 30_000,
      guard: noErrors,
    });
    await screenshot(page, '01-open-run');
  });

  scenario('the panel opens on the demo run', { timeout: 60_000 }, async () => {
    frame = await findFrame(page, byTestId(TESTID.panel));
    await assertNoErrors(page);
    await panelShot(page, '02-panel');
  });

  scenario('the tree lists every checkpoint', { timeout: 60_000 }, async () => {
    assert.ok(steps.length >= 12, `the demo run should have >= 12 checkpoints, found ${steps.length}`);
    const listed = await waitUntil(
      'the tree to list every checkpoint',
      async () => {
        const s = (await treeItems(page, UI.treeTitle)).map(stepOf);
        return s.length === steps.length ? s : undefined;
      },
      { guard: noErrors },
    );
    assert.deepEqual(listed, steps);
    await screenshot(page, '03-tree');
  });

  scenario('scoring finishes; each chart has one point per checkpoint', { timeout: SCORING_MS + 30_000 }, async () => {
    await waitAllScored(page, frame, steps.length);
    for (const id of [TESTID.chartCe, TESTID.chartCoverage]) {
      const chart = await chartData(frame, id);
      assert.ok(chart.datasets.length > 0, `${id} has no dataset`);
      const xs = chart.datasets[0].data.map((p) => (typeof p === 'object' && p !== null ? (p as { x: unknown }).x : p));
      assert.equal(xs.length, steps.length, `${id}: one point per checkpoint`);
      assert.ok(
        xs.every((x) => typeof x === 'number' && Number.isFinite(x)),
        `${id}: finite x values`,
      );
    }
    assert.deepEqual(await rowSteps(frame), steps, 'one table row per checkpoint, in step order');
    // Issue 15: at 1400×900 the table fits the panel; its last column was cut off.
    const fit = await frame.locator(byTestId(TESTID.table)).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(fit.scroll <= fit.client + 1, `the table fits the panel (${fit.scroll} px wide in ${fit.client} px)`);
    await panelShot(page, '04-scored');
    // The N chooser is one dropdown of presets; "custom" opens every N of the grid over the charts.
    const custom = frame.locator(`${byTestId(TESTID.nChoice)} > summary`);
    await custom.click();
    await waitUntil(
      'the custom N list to open',
      async () => frame.locator(`${byTestId(TESTID.nChoice)} [data-testid="n-16"]`).isVisible(),
      { guard: noErrors },
    );
    await panelShot(page, '04b-n-chooser-custom');
    await custom.click();
  });

  scenario('the verdict names the checkpoint `checkpoint-coverage report --json` suggests', { timeout: SCORING_MS }, async () => {
    const out = execFileSync(process.execPath, [env.cli, 'report', '--json', env.cliRunDir], {
      encoding: 'utf8',
      timeout: SCORING_MS,
      maxBuffer: 64 << 20,
    });
    const expected = suggestedStep(JSON.parse(out));
    const verdict = frame.locator(byTestId(TESTID.verdict));
    assert.equal(Number(await verdict.getAttribute('data-suggested-step')), expected);
    assert.match((await verdict.textContent()) ?? '', new RegExp(`\\b${expected}\\b`), 'the verdict text names the step');
  });

  async function assertInspecting(step: number, shot: string): Promise<void> {
    await waitUntil(`the inspect view of step ${step}`, async () => (await inspectedStep(frame)) === step, {
      timeoutMs: 30_000,
      guard: noErrors,
    });
    const profile = await chartData(frame, TESTID.profileChart);
    assert.ok(
      profile.datasets.some((d) => d.data.length > 1),
      'the coverage profile has points',
    );
    assert.notEqual(((await frame.locator(byTestId(TESTID.inspectTournament)).textContent()) ?? '').trim(), '', 'tournament row');
    assert.ok((await frame.locator(byTestId(TESTID.worstSample)).count()) > 0, 'worst-covered samples are listed');
    assert.equal(await frame.locator(byTestId(TESTID.byLengthRow)).count(), 4, 'one row per response-length quartile');
    // Its header names the run (the panel's title does too), and a click scrolled its top into sight.
    const run = ((await frame.locator(byTestId(TESTID.runTitle)).textContent()) ?? '').replace(/^Checkpoint Coverage · /, '');
    const head =
      (await frame
        .locator(`${byTestId(TESTID.inspect)} h2`)
        .first()
        .textContent()) ?? '';
    assert.ok(run !== '' && head.startsWith(`${run} · step ${step} · `), `the inspect header names the run: ${JSON.stringify(head)}`);
    const top = await frame
      .locator(byTestId(TESTID.inspect))
      .evaluate((el) => ({ top: el.getBoundingClientRect().top, height: (globalThis as unknown as { innerHeight: number }).innerHeight }));
    assert.ok(top.top >= -1 && top.top < top.height / 2, `the inspect view's top is in sight (at ${top.top} px of ${top.height})`);
    await assertNoErrors(page);
    await panelShot(page, shot);
  }

  scenario('clicking a point in the chart opens its inspect view', { timeout: 60_000 }, async () => {
    await clickChartPoint(frame, TESTID.chartCe, 0, 1);
    await assertInspecting(steps[1], '05-inspect-from-chart');
    await frame.locator(byTestId(TESTID.inspectByLength)).scrollIntoViewIfNeeded();
    await panelShot(page, '05b-inspect-by-length');
  });

  scenario('clicking a checkpoint in the tree opens its inspect view', { timeout: 60_000 }, async () => {
    const target = steps[2];
    await treeItems(page, UI.treeTitle); // expands the view when collapsed
    await treePane(page, UI.treeTitle)
      .locator('.monaco-list-row', { hasText: UI.treeLabel(target) })
      .first()
      .click();
    await assertInspecting(target, '06-inspect-from-tree');
  });

  scenario('a checkpoint written in pieces is ignored until complete, then scored and plotted', { timeout: SCORING_MS }, async () => {
    const all = listCheckpointDirs(env.runDir);
    const last = all[all.length - 1],
      prev = all[all.length - 2];
    const step = last.step + (last.step - prev.step);
    const dest = join(last.dir, '..', renameStep(last.dir, step));
    await copyCheckpointInPieces(last.dir, dest, 8, 400, async (written, total) => {
      assert.ok(!(await rowSteps(frame)).includes(step), `step ${step} listed after ${written}/${total} bytes`);
    });
    steps = [...steps, step];
    await waitUntil(
      `step ${step} to be scored and plotted`,
      async () => {
        const chart = await chartData(frame, TESTID.chartCe);
        return chart.datasets[0].data.length === steps.length && (await rowSteps(frame)).includes(step);
      },
      { timeoutMs: SCORING_MS, everyMs: 1000, guard: noErrors },
    );
    await panelShot(page, '07-new-checkpoint');
  });

  scenario('a dark theme redraws the charts in its colours', { timeout: 60_000 }, async () => {
    const light = await chartData(frame, TESTID.chartCe);
    assert.ok(meanLuminance(decodePng(await panelShot(page, '08-light'))) > 0.5, 'light theme looks light');
    await setColorTheme(page, 'Dark Modern');
    await frame.locator('body.vscode-dark').waitFor({ timeout: 30_000 });
    const dark = await waitUntil(
      'the chart colours to change',
      async () => {
        const c = await chartData(frame, TESTID.chartCe);
        return JSON.stringify([c.textColor, c.datasets[0].borderColor]) !== JSON.stringify([light.textColor, light.datasets[0].borderColor])
          ? c
          : undefined;
      },
      { timeoutMs: 15_000, guard: noErrors },
    );
    assert.equal(dark.datasets[0].data.length, steps.length, 'no data lost in the redraw');
    assert.ok(meanLuminance(decodePng(await panelShot(page, '09-dark'))) < 0.35, 'dark theme looks dark');
  });

  scenario('reloading the window restores the panel with its state', { timeout: 120_000 }, async () => {
    const inspected = await inspectedStep(frame);
    // Developer: Reload Window is a page reload in the web workbench.
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    frame = await findFrame(page, byTestId(TESTID.panel), 90_000);
    await waitUntil('the restored panel to show every checkpoint', async () => (await rowSteps(frame)).length === steps.length, {
      timeoutMs: 60_000,
      guard: noErrors,
    });
    await waitUntil('the inspected checkpoint to come back', async () => (await inspectedStep(frame)) === inspected, {
      timeoutMs: 30_000,
      guard: noErrors,
    });
    await assertNoErrors(page);
    await panelShot(page, '10-restored');
  });
});
