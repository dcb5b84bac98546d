// Helpers for driving code-server's workbench in headless chromium. scripts/e2e.mjs starts the server
// and passes what the tests need through E2E_* variables; the tests never start servers themselves.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { chromium, type BrowserContext, type Frame, type Locator, type Page, type Request } from 'playwright-core';
import { decodePng, dominantColourShare } from './png';
import { TESTID } from './testids';

export interface E2EEnv {
  baseUrl: string;       // code-server, e.g. http://127.0.0.1:41234
  workspace: string;     // folder the workbench opens
  runDir: string;        // the demo run inside the workspace
  cliRunDir: string;     // an untouched copy of the demo run for the CLI's own report
  cli: string;           // dist/cli.js of the packaged build
  shotsDir: string;      // screenshots, kept after the run
  chromium: string;      // the chromium binary scripts/e2e.mjs checked for
}

export function e2eEnv(): E2EEnv {
  const get = (k: string): string => {
    const v = process.env[k];
    if (!v) {
      throw new Error(`${k} is not set: run the end-to-end suite through \`npm run test:e2e\` (scripts/e2e.mjs)`);
    }
    return v;
  };
  return {
    baseUrl: get('E2E_BASE_URL'), workspace: get('E2E_WORKSPACE'), runDir: get('E2E_RUN_DIR'),
    cliRunDir: get('E2E_CLI_RUN_DIR'), cli: get('E2E_CLI'), shotsDir: get('E2E_SHOTS'),
    chromium: get('E2E_CHROMIUM'),
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves the page as `<lastShot>.png` (where the story ended, whatever happened), then closes. */
  close(lastShot?: string): Promise<void>;
}

/**
 * A fresh headless chromium with the workbench open on the workspace: one per story. `beforeOpen`
 * runs before the first page load (to record from the very start). When the workbench does not come
 * up the browser is closed and the error thrown, so no caller is left holding a half-made one.
 */
export async function launchWorkbench(env: E2EEnv, beforeOpen?: (b: Browser) => void): Promise<Browser> {
  // Playwright refuses --user-data-dir in args; a persistent context is how to get a fresh profile.
  const userDataDir = mkdtempSync(join(tmpdir(), 'chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: env.chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const b: Browser = {
    context, page,
    close: async (lastShot) => {
      if (lastShot) await saveScreenshot(page, lastShot);
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  beforeOpen?.(b);
  try {
    await page.goto(`${env.baseUrl}/?folder=${encodeURIComponent(env.workspace)}`);
    await waitForWorkbench(page);
  } catch (e) {
    await b.close('zz-launch-failed');
    throw e;
  }
  return b;
}

/**
 * A record of the page for whoever reads a failure, not a check: when the page is gone (a crash, a
 * closed context) the test's own error says why, so this one is only logged, never thrown over it.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const file = join(e2eEnv().shotsDir, `${name}.png`);
  try {
    await page.screenshot({ path: file });
  } catch (e) {
    console.log(`[e2e] could not save ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** The workbench is usable once the explorer lists the folder: the remote file system is up. */
async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const quickInput = (page: Page): Locator => page.locator('.quick-input-widget');
const quickInputBox = (page: Page): Locator => page.locator('.quick-input-widget .quick-input-box input');

/**
 * Runs a command by its palette title. The palette snapshots the command list when it opens, and for a
 * few seconds after load the extension host has not registered contributed commands: retry until the
 * row shows.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await page.keyboard.press('F1');
    try { await quickInputBox(page).waitFor({ state: 'visible', timeout: 5000 }); } catch { continue; }
    await quickInputBox(page).fill('>' + title);
    // The row whose label starts with the title; Enter would run the top row, which may be another match
    // ("Preferences: Browse Color Themes…" above "Preferences: Color Theme").
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}`) }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  throw new Error(`command not found in the palette within ${timeoutMs} ms: ${title}`);
}

/** Right-clicks `target` and picks `item`; retried like runCommand, since contributed menu entries
 *  appear only once the extension host has read the extensions. */
export async function contextMenu(page: Page, target: Locator, item: RegExp, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await target.click({ button: 'right' });
    const entry = page.locator('.context-view .action-label', { hasText: item }).first();
    try {
      await entry.waitFor({ state: 'visible', timeout: 2000 });
      await entry.hover();
      // A click is sometimes swallowed by the menu's guard against the opening right-click's mouseup;
      // the hovered entry is focused, so Enter runs it.
      await page.keyboard.press('Enter');
      await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  throw new Error(`context menu entry ${item} not found within ${timeoutMs} ms`);
}

/**
 * Types `path` into the open file dialog until the dialog leaves it alone, then presses the dialog's
 * accept button. The dialog writes its start folder into the box asynchronously, possibly after we
 * typed: type, then require the value to stay ours for a moment, else type again.
 */
async function answerPathDialog(page: Page, path: string, timeoutMs: number, shot?: string): Promise<void> {
  const box = quickInputBox(page);
  const end = Date.now() + timeoutMs;
  for (let stable = 0; stable < 4;) {
    if (Date.now() > end) throw new Error(`file dialog did not settle on ${path}: it shows ${await box.inputValue()}`);
    if ((await box.inputValue()) === path) stable++;
    else { stable = 0; await box.fill(path); }
    await page.waitForTimeout(200);
  }
  if (shot) await screenshot(page, shot);
  // The accept button carries the command's label ("OK" or "Save" when it has none); the other header
  // action ("Show Local") is hidden in code-server.
  await page.locator('.quick-input-widget .quick-input-action .monaco-button:visible').filter({ hasText: /\S/ }).first().click();
}

/**
 * Answers a folder picker (`shot`: a screenshot of it, answered, before accepting). In code-server, showOpenDialog is VS Code's "simple" dialog: a quick input
 * whose value is a path. Typing the folder's path with a trailing slash lists that folder; accepting
 * with no item chosen returns the typed folder.
 */
export async function pickFolder(page: Page, folder: string, timeoutMs = 30_000, shot?: string): Promise<void> {
  await quickInputBox(page).waitFor({ state: 'visible', timeout: timeoutMs });
  await answerPathDialog(page, folder.endsWith('/') ? folder : folder + '/', timeoutMs, shot);
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/**
 * Answers a save dialog (the same simple dialog, showSaveDialog flavour) with a full file path, and
 * returns once the file exists: the caller's writer ran. Waiting for the file rather than for the
 * widget to hide matters when the next dialog reuses the widget at once (one per chart). Returns the
 * path the dialog proposed; `shot` names a screenshot of the answered dialog. `file` must not exist yet (an overwrite prompt would follow) and its folder must.
 */
export async function saveAs(page: Page, file: string, { timeoutMs = 30_000, shot }: { timeoutMs?: number; shot?: string } = {}): Promise<string> {
  if (existsSync(file)) throw new Error(`saveAs: ${file} exists already; the dialog would ask to overwrite it`);
  const box = quickInputBox(page);
  // The dialog is up once its box holds a path (the command palette's box holds ">…"). It writes the
  // folder first and the proposed file name after it: the proposal is the value once it holds still.
  let last = '', same = 0;
  const proposed = await waitUntil('a save dialog', async () => {
    const v = (await box.isVisible()) ? await box.inputValue() : '';
    same = v === last ? same + 1 : 0;
    last = v;
    return v.startsWith('/') && same >= 3 ? v : undefined;
  }, { timeoutMs, everyMs: 100 });
  await answerPathDialog(page, file, timeoutMs, shot);
  await waitUntil(`${file} to be written`, async () => existsSync(file) && statSync(file).size > 0, { timeoutMs, guard: () => assertNoErrors(page) });
  return proposed;
}

/** Picks the row of the open quick pick whose label starts with `label`. */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 10_000): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}`) }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** The first frame that contains `selector`; works when several webviews are open. */
export async function findFrame(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try { if (await f.$(selector)) return f; } catch { /* frame navigated away meanwhile */ }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame contains ${selector} after ${timeoutMs} ms`);
}

export const byTestId = (id: string, extra = ''): string => `[data-testid="${id}"]${extra}`;

/**
 * Saves a screenshot into the shots folder and fails when it is blank (one colour over 99.5 % of the
 * pixels), which is what a webview that failed to render looks like.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  const dir = e2eEnv().shotsDir;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  const png = await target.screenshot();
  writeFileSync(file, png);
  const share = dominantColourShare(decodePng(png));
  if (share > 0.995) throw new Error(`screenshot ${file} is blank (${(share * 100).toFixed(2)} % one colour)`);
  return file;
}

/** Fails when any webview shows our error banner or the workbench shows an error notification. */
export async function assertNoErrors(page: Page): Promise<void> {
  const problems: string[] = [];
  for (const f of page.frames()) {
    try {
      for (const el of await f.$$(byTestId(TESTID.errorBanner))) {
        if (await el.isVisible()) problems.push(`webview error banner: ${(await el.textContent())?.trim()}`);
      }
    } catch { /* detached frame */ }
  }
  const toasts = page.locator('.notifications-toasts .notification-list-item:has(.codicon-error) .notification-list-item-message');
  for (const text of await toasts.allTextContents()) problems.push(`error notification: ${text.trim()}`);
  // A command that throws when run from the palette is reported in a modal dialog, not a toast.
  for (const box of await page.locator('.monaco-dialog-box').all()) {
    if (await box.isVisible()) problems.push(`dialog: ${(await box.innerText()).replace(/\s+/g, ' ').trim()}`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Messages of the notifications currently shown (any severity). */
export async function notifications(page: Page): Promise<string[]> {
  return (await page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).map((t) => t.trim());
}

// The main tsconfig has no DOM lib (src/ must not see one), so code that runs inside the page
// describes the little DOM and chart.js API it touches.
interface ChartLike {
  data: { labels?: unknown[]; datasets: { label?: string; data: unknown[]; borderColor?: unknown }[] };
  options: { color?: unknown };
  width: number;
  height: number;
  getDatasetMeta(n: number): { data: { x: number; y: number }[] };
}
interface PageGlobals {
  document: { querySelector(sel: string): object | null };
  Chart?: { getChart(canvas: object): ChartLike | undefined };
}

export interface ChartSnapshot {
  labels: unknown[];
  datasets: { label: string; data: unknown[]; borderColor: unknown }[];
  textColor: unknown;
}

/** What chart.js holds for the canvas with this test id (needs the webview to expose `Chart`). */
export async function chartData(frame: Frame, testid: string): Promise<ChartSnapshot> {
  return frame.evaluate((sel) => {
    const g = globalThis as unknown as PageGlobals;
    const canvas = g.document.querySelector(sel);
    const C = g.Chart;
    if (!canvas) throw new Error(`no canvas ${sel}`);
    if (!C) throw new Error('the webview does not expose chart.js as globalThis.Chart');
    const chart = C.getChart(canvas);
    if (!chart) throw new Error(`no chart on ${sel}`);
    return {
      labels: chart.data.labels ?? [],
      datasets: chart.data.datasets.map((d) => ({ label: d.label ?? '', data: d.data, borderColor: d.borderColor ?? null })),
      textColor: chart.options.color ?? null,
    };
  }, byTestId(testid));
}

/** Where chart.js drew the points of one dataset, in CSS pixels of the canvas, and the chart's CSS size. */
export async function chartPoints(frame: Frame, testid: string, datasetIndex: number): Promise<{ width: number; height: number; points: { x: number; y: number }[] }> {
  return frame.evaluate(([sel, d]) => {
    const g = globalThis as unknown as PageGlobals;
    const canvas = g.document.querySelector(sel as string);
    const chart = canvas && g.Chart?.getChart(canvas);
    if (!chart) throw new Error(`no chart on ${sel as string}`);
    return { width: chart.width, height: chart.height, points: chart.getDatasetMeta(d as number).data.map((p) => ({ x: p.x, y: p.y })) };
  }, [byTestId(testid), datasetIndex] as const);
}

/** Clicks a drawn point of a chart.js chart at the position chart.js computed for it. */
export async function clickChartPoint(frame: Frame, testid: string, datasetIndex: number, index: number): Promise<void> {
  const pos = (await chartPoints(frame, testid, datasetIndex)).points[index];
  if (!pos) throw new Error(`chart ${testid} has no point ${index} in dataset ${datasetIndex}`);
  await frame.locator(byTestId(testid)).click({ position: pos });
}

/**
 * How long a story waits for a run to be scored. The demo's checkpoints score in about a second here;
 * two minutes leaves room for a loaded CI machine while a panel that never receives scores fails in
 * minutes, not five.
 */
export const SCORING_MS = 120_000;

/** A row of the panel's figures table (`data-step`, `data-path`, `data-state`). */
export interface ScoreRow { step: number; path: string; state: string }

export async function scoreRows(frame: Frame): Promise<ScoreRow[]> {
  return frame.locator(byTestId(TESTID.scoreRow)).evaluateAll((els) => els.map((r) => ({
    step: Number(r.getAttribute('data-step')), path: r.getAttribute('data-path') ?? '', state: r.getAttribute('data-state') ?? '',
  })));
}

/** Waits until the panel's table has `count` rows, all scored; a failed row or an error dialog ends the wait at once. */
export async function waitAllScored(page: Page, frame: Frame, count: number): Promise<void> {
  await waitUntil(`all ${count} checkpoints to be scored`, async () => {
    const r = await scoreRows(frame);
    return r.length === count && r.every((x) => x.state === 'done');
  }, { timeoutMs: SCORING_MS, everyMs: 500, guard: async () => {
    await assertNoErrors(page);
    const failed = (await scoreRows(frame)).filter((x) => x.state === 'failed');
    if (failed.length) throw new Error(`scoring failed for steps ${failed.map((x) => x.step).join(', ')}`);
  } });
}

/** A view pane in the side bar, found by its title. */
export const treePane = (page: Page, viewTitle: string): Locator =>
  page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewTitle }) });

/** Labels of the rows of a tree view in the side bar, found by the view's title. */
export async function treeItems(page: Page, viewTitle: string): Promise<string[]> {
  const pane = treePane(page, viewTitle);
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click({ timeout: 5000 });
  // Lists are virtualised: only rows in view exist in the DOM. Give the view the side bar's height.
  // Re-query after each click: collapsing one header shifts the positions of the others.
  const others = page.locator('.sidebar .pane-header[aria-expanded="true"]:visible')
    .filter({ hasNotText: new RegExp(escapeRegExp(viewTitle), 'i') });
  for (let i = 0; i < 10 && await others.count(); i++) await others.first().click({ timeout: 5000 });
  return (await pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? '')));
}

/** Switches the colour theme the way a user does: Preferences: Color Theme, pick, Enter. */
export async function setColorTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  // The palette closes and the theme picker opens in the same widget: wait for the picker's own rows
  // (every theme list has a "Modern" pair) before typing, or the text lands in the palette.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: /Modern/ }).first().waitFor({ timeout: 10_000 });
  await quickInputBox(page).fill(theme);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * Polls `check` until it returns a value other than undefined/false; errors it throws count as "not
 * yet" (frames come and go). `guard` runs on every round and its errors end the wait at once: pass
 * `() => assertNoErrors(page)` so an error dialog fails fast instead of timing out.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, everyMs = 250, guard }: { timeoutMs?: number; everyMs?: number; guard?: () => Promise<void> } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (guard) await guard();
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The first integer in a label ("step 1200 · CE 2.31" -> 1200). */
export function stepOf(label: string): number | undefined {
  const m = /\d+/.exec(label.replace(/,/g, ''));
  return m ? Number(m[0]) : undefined;
}

export interface RecordedRequest { url: string; frameUrl: string; fromServiceWorker: boolean }

/**
 * Records every request the browser context makes from now on (pages, frames, workers). A webview's
 * resources have virtual https URLs that VS Code's service worker answers from the extension host;
 * `fromServiceWorker` tells those apart from requests that reached the network. `stop` detaches the
 * listeners and resolves once every recorded request has its answer (or failure) read.
 */
export function recordRequests(context: BrowserContext): { requests: RecordedRequest[]; stop(): Promise<RecordedRequest[]> } {
  const requests: RecordedRequest[] = [];
  const answers: Promise<void>[] = [];
  const onRequest = (r: Request): void => {
    let frameUrl = '';
    try { frameUrl = r.frame().url(); } catch { /* a worker's request has no frame */ }
    const rec: RecordedRequest = { url: r.url(), frameUrl, fromServiceWorker: false };
    requests.push(rec);
    answers.push(r.response().then((res) => { rec.fromServiceWorker = res?.fromServiceWorker() ?? false; }, () => undefined));
  };
  context.on('request', onRequest);
  return {
    requests,
    stop: async () => {
      context.off('request', onRequest);
      // A request still open (a long poll) never answers: give each a moment, then read what is known.
      await Promise.race([Promise.all(answers), new Promise((r) => setTimeout(r, 5000))]);
      return requests;
    },
  };
}

// Page-side view of the few DOM calls the status bar recorder makes (no DOM lib in this tsconfig).
interface StatusElement { id: string; textContent: string | null }
interface StatusGlobals {
  document: { querySelector(sel: string): StatusElement | null };
  MutationObserver: new (cb: () => void) => { observe(target: object, o: object): void; disconnect(): void };
  __e2eStatusTexts?: string[];
  __e2eStatusRead?: () => void;
  __e2eStatusObserver?: { disconnect(): void };
}

/**
 * The status bar entry an extension contributed with createStatusBarItem(id): the workbench gives its
 * element the id `<publisher>.<name>.<id>`.
 */
export const statusBarItem = (page: Page, id: string): Locator => page.locator(`.part.statusbar .statusbar-item[id$=".${id}"]`);

/**
 * Records every text the status bar entry `id` shows from now on (a MutationObserver on the status
 * bar, so short-lived texts between two polls are kept too). `texts` returns them in order, repeats
 * collapsed; `stop` ends the recording.
 */
export async function recordStatusBarTexts(page: Page, id: string): Promise<{ texts(): Promise<string[]>; stop(): Promise<string[]> }> {
  await page.evaluate((sel) => {
    const g = globalThis as unknown as StatusGlobals;
    const seen: string[] = [];
    // A property, not a const: tsx names const-bound functions with a `__name` helper the page lacks.
    g.__e2eStatusRead = () => {
      const t = (g.document.querySelector(sel)?.textContent ?? '').trim();
      if (t && seen[seen.length - 1] !== t) seen.push(t);
    };
    const bar = g.document.querySelector('.part.statusbar');
    if (!bar) throw new Error('no status bar in the workbench');
    g.__e2eStatusObserver?.disconnect();
    g.__e2eStatusTexts = seen;
    const observer = new g.MutationObserver(g.__e2eStatusRead);
    observer.observe(bar, { subtree: true, childList: true, characterData: true, attributes: true });
    g.__e2eStatusObserver = observer;
    g.__e2eStatusRead();
  }, `.part.statusbar .statusbar-item[id$=".${id}"]`);
  const texts = (): Promise<string[]> => page.evaluate(() => [...((globalThis as unknown as StatusGlobals).__e2eStatusTexts ?? [])]);
  return {
    texts,
    stop: async () => {
      const t = await texts();
      await page.evaluate(() => (globalThis as unknown as StatusGlobals).__e2eStatusObserver?.disconnect());
      return t;
    },
  };
}

/**
 * A story's scenarios: each builds on the previous ones, so after a failure the rest fail at once
 * instead of timing out, and the failing one saves the workbench as `<prefix>fail-<n>.png`.
 */
export function story(prefix: string, page: () => Page | undefined):
  (name: string, options: { skip?: string | false; timeout: number }, body: (t: TestContext) => Promise<void>) => void {
  let failures = 0;
  return (name, options, body) => {
    test(name, options, async (t) => {
      if (failures) throw new Error('not run: an earlier scenario of this story failed');
      try {
        await body(t);
      } catch (e) {
        const p = page();
        if (p) await saveScreenshot(p, `${prefix}fail-${++failures}`);
        else failures++;
        throw e;
      }
    });
  };
}
