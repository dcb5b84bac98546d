// A learning-rate sweep as a user meets it (issue 15): the demo chain trained at three learning
// rates (`demo --lr`, one eval set byte for byte) in one sweep folder, opened from the Explorer's
// context menu, which offers the sweep's runs. Three coloured lines per chart, one suggestion
// marker (the one `report --all-nested` makes), the table's run column sorted and filtered,
// a point inspected against the suggestion across runs, light and dark, a reload that restores
// the three runs in their colours, and a run taken out of the panel.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { launchWorkbench, type Browser } from './browser';
import { e2eEnv } from './env';
import { chartData, clickChartPoint, findFrame, scoreRows, SCORING_MS, waitAllScored } from './panel';
import { decodePng, meanLuminance } from './png';
import { screenshot } from './recorders';
import { story, waitUntil } from './story';
import { byTestId, TESTID, UI } from './testids';
import { assertNoErrors, contextMenu, quickInput, setColorTheme, treeItems } from './workbench';

const env = e2eEnv();
const RATES = ['0.8', '1', '1.25'];
const LABELS = RATES.map((lr) => `lr-${lr}`);
/** The demo's 13 checkpoints per run, with fewer samples than the demo's 4,000 so the sweep scores fast. */
const PER_RUN = 13;
const SAMPLES = '1000';

async function panelShot(page: Page, name: string): Promise<Buffer> {
  const target: Locator = page.locator('iframe.webview.ready').first();
  await screenshot(target, name);
  return target.screenshot();
}

interface Chip {
  run: string;
  colour: string;
  label: string;
}

async function chips(frame: Frame): Promise<Chip[]> {
  return frame.locator(byTestId(TESTID.runChip)).evaluateAll((els) =>
    els.map((e) => ({
      run: e.getAttribute('data-run') ?? '',
      colour: e.getAttribute('data-colour') ?? '',
      label: (e.textContent ?? '').replace('×', '').trim(),
    })),
  );
}

/** The run each table row belongs to, in table order. */
async function rowRuns(frame: Frame): Promise<string[]> {
  return frame.locator(byTestId(TESTID.scoreRow)).evaluateAll((els) => els.map((r) => r.getAttribute('data-run') ?? ''));
}

describe('a sweep of three runs in the panel', () => {
  let b: Browser;
  let page: Page;
  let frame: Frame;
  const sweep = join(env.workspace, 'sweep');
  const runs = LABELS.map((l) => join(sweep, l));
  const cliCopy = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
  let restored: Chip[] = [];
  const scenario = story('sweep-', () => page);
  const noErrors = (): Promise<void> => assertNoErrors(page);

  before(async () => {
    RATES.forEach((lr, i) => {
      const r = spawnSync(process.execPath, [env.cli, 'demo', runs[i], '--lr', lr, '--samples', SAMPLES], {
        encoding: 'utf8',
        timeout: SCORING_MS,
      });
      if (r.status !== 0) throw new Error(`demo --lr ${lr} failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
      // The extension's worker does the scoring; the CLI's comparison scores an untouched copy.
      rmSync(join(runs[i], '.coverage'), { recursive: true, force: true });
    });
    cpSync(sweep, join(cliCopy, 'sweep'), { recursive: true });
    // Files changed in the last 2 s count as still being written (the run-folder contract).
    await new Promise((r) => setTimeout(r, 2500));
    b = await launchWorkbench(env);
    page = b.page;
  });
  after(async () => {
    await b?.close('sweep-zz-last');
    rmSync(cliCopy, { recursive: true, force: true });
  });

  scenario('"Open Run…" on the sweep folder in the Explorer offers its three runs', { timeout: 180_000 }, async () => {
    const folder = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*sweep\s*$/ }).first();
    await contextMenu(page, folder, /^Open Run/);
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await waitUntil(
      "the pick of the sweep's runs",
      async () => {
        const labels = await rows.allTextContents();
        return LABELS.every((l) => labels.some((t) => t.includes(l)));
      },
      { timeoutMs: 30_000, guard: noErrors },
    );
    assert.equal(await rows.count(), 3, 'the three nested runs, nothing else');
    await screenshot(page, 'sweep-01-pick');
    // Every run is ticked: accept.
    await page.keyboard.press('Enter');
    await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
    frame = await findFrame(page, byTestId(TESTID.panel));
    await waitUntil('three run chips', async () => (await chips(frame)).length === 3, { guard: noErrors });
    // Earlier stories may have left the dark theme on; this story's first look is light.
    await setColorTheme(page, 'Light Modern');
  });

  scenario(
    'the runs score; each chart has a coloured line per run and one suggestion marker; the table has a run column',
    { timeout: SCORING_MS + 60_000 },
    async () => {
      await waitAllScored(page, frame, 3 * PER_RUN);
      const verdict = frame.locator(byTestId(TESTID.verdict));
      await waitUntil(
        'the comparison across the runs',
        async () => /^Across 3 runs: Suggested step \d+ of run lr-/.test((await verdict.textContent()) ?? ''),
        { timeoutMs: 30_000, guard: noErrors },
      );
      const colours: unknown[][] = [];
      for (const id of [TESTID.chartCe, TESTID.chartCoverage]) {
        const chart = await chartData(frame, id);
        const lines = chart.datasets.filter((d) => !/^(suggested|lowest CE)/.test(d.label));
        const byRun = LABELS.map((l) => lines.filter((d) => d.label === l || d.label.startsWith(`${l} · `)));
        assert.ok(
          byRun.every((ds) => ds.length >= 1 && ds.every((d) => d.data.length === PER_RUN)),
          `${id}: each run's lines have a point per checkpoint`,
        );
        const runColours = byRun.map((ds) => [...new Set(ds.map((d) => String(d.borderColor)))]);
        assert.ok(
          runColours.every((c) => c.length === 1),
          `${id}: one colour per run (${JSON.stringify(runColours)})`,
        );
        assert.equal(new Set(runColours.flat()).size, 3, `${id}: three colours`);
        colours.push(runColours.flat());
        const suggested = chart.datasets.filter((d) => d.label.startsWith('suggested'));
        assert.deepEqual(
          suggested.map((d) => d.data.length),
          [1],
          `${id}: one suggestion marker`,
        );
      }
      assert.deepEqual(colours[0], colours[1], 'a run has the same colour in both charts');
      assert.equal(await frame.locator(byTestId(TESTID.column('run'))).count(), 1, 'the table has a run column');
      const perRun = await rowRuns(frame);
      assert.deepEqual([...new Set(perRun)], runs, 'rows by run, in the order of the runs');
      assert.ok(runs.every((r) => perRun.filter((x) => x === r).length === PER_RUN));
      const fit = await frame.locator(byTestId(TESTID.table)).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      assert.ok(fit.scroll <= fit.client + 1, `the table with its run column fits the panel (${fit.scroll} px wide in ${fit.client} px)`);
      assert.ok(meanLuminance(decodePng(await panelShot(page, 'sweep-02-light'))) > 0.5, 'light theme looks light');
      // The Checkpoints tree: a node per run, holding its checkpoints.
      let tree: string[] = [];
      await waitUntil(
        'a node per run in the tree',
        async () => {
          tree = await treeItems(page, UI.treeTitle);
          return LABELS.every((l) => tree.some((t) => t.startsWith(l)));
        },
        { timeoutMs: 30_000, guard: noErrors },
      ).catch((e: Error) => {
        throw new Error(`${e.message}; the tree shows: ${tree.slice(0, 5).join(' | ')}`);
      });
      await screenshot(page, 'sweep-02b-tree');
    },
  );

  scenario(
    'the suggestion is the one `checkpoint-coverage report --all-nested` makes across the runs',
    { timeout: SCORING_MS + 60_000 },
    async () => {
      const out = execFileSync(process.execPath, [env.cli, 'report', '--json', '--all-nested', join(cliCopy, 'sweep')], {
        encoding: 'utf8',
        timeout: SCORING_MS + 30_000,
        maxBuffer: 64 << 20,
      });
      const across = (JSON.parse(out) as { across: { suggested: { run: string; step: number } } | null }).across;
      assert.ok(across, 'the CLI compares the runs (one eval set)');
      const verdict = frame.locator(byTestId(TESTID.verdict));
      assert.equal(Number(await verdict.getAttribute('data-suggested-step')), across.suggested.step);
      assert.equal(basename((await verdict.getAttribute('data-suggested-run')) ?? ''), basename(across.suggested.run));
    },
  );

  scenario('the table sorts by run and is narrowed to one run', { timeout: 60_000 }, async () => {
    const header = frame.locator(byTestId(TESTID.column('run')));
    await header.click();
    await header.click();
    await waitUntil('the rows sorted by run, descending', async () => (await rowRuns(frame))[0] === runs[2], { guard: noErrors });
    assert.equal(await frame.locator(byTestId(TESTID.column('run'))).getAttribute('aria-sort'), 'descending');
    await frame.locator(byTestId(TESTID.column('run'))).click();
    await waitUntil("the table's own order again", async () => (await rowRuns(frame))[0] === runs[0], { guard: noErrors });
    await frame.locator(byTestId(TESTID.runFilter)).click();
    await frame.locator(`${byTestId(TESTID.runFilter)} vscode-option`, { hasText: /^\s*lr-1\s*$/ }).click();
    await waitUntil(
      "only lr-1's rows",
      async () => {
        const r = await rowRuns(frame);
        return r.length === PER_RUN && r.every((x) => x === runs[1]);
      },
      { guard: noErrors },
    );
    await frame.locator(byTestId(TESTID.table)).scrollIntoViewIfNeeded();
    await panelShot(page, 'sweep-03-one-run');
    await frame.locator(byTestId(TESTID.runFilter)).click();
    await frame.locator(`${byTestId(TESTID.runFilter)} vscode-option`, { hasText: /every run/ }).click();
    await waitUntil("every run's rows again", async () => (await scoreRows(frame)).length === 3 * PER_RUN, { guard: noErrors });
  });

  scenario("clicking a point inspects that run's checkpoint against the suggestion across runs", { timeout: 60_000 }, async () => {
    // lr-1's step 3000: its CE differs from the other runs' at that step, so the click is its alone.
    await clickChartPoint(frame, TESTID.chartCe, 1, 2);
    const inspect = frame.locator(byTestId(TESTID.inspect));
    await waitUntil(
      'the inspect view of lr-1 step 3000',
      async () =>
        (await inspect.getAttribute('data-run')) === runs[1] &&
        /^lr-1 · step 3000 · /.test((await inspect.locator('h2').first().textContent()) ?? ''),
      { timeoutMs: 30_000, guard: noErrors },
    );
    const profile = await chartData(frame, TESTID.profileChart);
    assert.ok(
      profile.datasets.some((d) => /^Cov_N suggested across runs \(lr-/.test(d.label)),
      `the profile shows the suggestion across runs: ${profile.datasets.map((d) => d.label).join(' | ')}`,
    );
    const rivalRuns = await frame
      .locator(byTestId('tournament-rival'))
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-run') ?? ''));
    assert.ok(new Set(rivalRuns).size >= 2, `rivals from several runs: ${rivalRuns.join(', ')}`);
    await assertNoErrors(page);
    await panelShot(page, 'sweep-04-inspect');
  });

  scenario("a dark theme redraws the runs' lines in its colours", { timeout: 60_000 }, async () => {
    const light = await chartData(frame, TESTID.chartCe);
    await frame.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await setColorTheme(page, 'Dark Modern');
    await frame.locator('body.vscode-dark').waitFor({ timeout: 30_000 });
    await waitUntil(
      'the chart colours to change',
      async () => {
        const c = await chartData(frame, TESTID.chartCe);
        return JSON.stringify(c.datasets.map((d) => d.borderColor)) !== JSON.stringify(light.datasets.map((d) => d.borderColor));
      },
      { timeoutMs: 15_000, guard: noErrors },
    );
    assert.ok(meanLuminance(decodePng(await panelShot(page, 'sweep-05-dark'))) < 0.35, 'dark theme looks dark');
    restored = await chips(frame);
  });

  scenario('reloading the window restores the three runs in their colours', { timeout: 150_000 }, async () => {
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    frame = await findFrame(page, byTestId(TESTID.panel), 90_000);
    await waitUntil('the three runs back', async () => JSON.stringify(await chips(frame)) === JSON.stringify(restored), {
      timeoutMs: 60_000,
      guard: noErrors,
    });
    assert.deepEqual(
      restored.map((c) => c.label),
      LABELS,
    );
    // VS Code persists a webview's state lazily: a reload can bring back an older one, with the
    // table still narrowed to one run from an earlier scenario. Show every run before counting rows.
    await frame.locator(byTestId(TESTID.runFilter)).click();
    await frame.locator(`${byTestId(TESTID.runFilter)} vscode-option`, { hasText: /every run/ }).click();
    await waitAllScored(page, frame, 3 * PER_RUN);
    await waitUntil(
      'the comparison again',
      async () => /^Across 3 runs:/.test((await frame.locator(byTestId(TESTID.verdict)).textContent()) ?? ''),
      { timeoutMs: 30_000, guard: noErrors },
    );
    await frame.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await panelShot(page, 'sweep-06-restored');
  });

  scenario('removing a run takes it out of the panel and of the comparison', { timeout: 60_000 }, async () => {
    // An inspect view open (the reload may or may not have had time to store the last one).
    const inspect = frame.locator(byTestId(TESTID.inspect));
    await clickChartPoint(frame, TESTID.chartCe, 1, 2);
    await waitUntil(
      'the inspect view against the three runs',
      async () => /Measured against the 3 runs compared/.test((await inspect.textContent()) ?? ''),
      { timeoutMs: 30_000, guard: noErrors },
    );
    await frame.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await frame.locator(`${byTestId(TESTID.runChip)}[data-run="${runs[2]}"] ${byTestId(TESTID.runRemove)}`).click();
    await waitUntil('two runs left', async () => (await chips(frame)).length === 2 && (await scoreRows(frame)).length === 2 * PER_RUN, {
      guard: noErrors,
    });
    await waitUntil(
      'the comparison over the two',
      async () => /^Across 2 runs:/.test((await frame.locator(byTestId(TESTID.verdict)).textContent()) ?? ''),
      { timeoutMs: 30_000, guard: noErrors },
    );
    assert.ok(!(await rowRuns(frame)).includes(runs[2]));
    // The inspect view still open is measured against the comparison as it is now.
    await waitUntil(
      'the inspect view against the two runs',
      async () => /Measured against the 2 runs compared/.test((await frame.locator(byTestId(TESTID.inspect)).textContent()) ?? ''),
      { timeoutMs: 30_000, guard: noErrors },
    );
    await panelShot(page, 'sweep-07-removed');
  });
});
