// Our panel's webview as the tests read it: its frame, the figures table and the chart.js charts.
import type { Frame, Page } from 'playwright-core';
import { waitUntil } from './story';
import { byTestId, TESTID } from './testids';
import { assertNoErrors } from './workbench';

/** The first frame that contains `selector`; works when several webviews are open. */
export async function findFrame(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        /* frame navigated away meanwhile */
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame contains ${selector} after ${timeoutMs} ms`);
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
export async function chartPoints(
  frame: Frame,
  testid: string,
  datasetIndex: number,
): Promise<{ width: number; height: number; points: { x: number; y: number }[] }> {
  return frame.evaluate(
    ([sel, d]) => {
      const g = globalThis as unknown as PageGlobals;
      const canvas = g.document.querySelector(sel as string);
      const chart = canvas && g.Chart?.getChart(canvas);
      if (!chart) throw new Error(`no chart on ${sel as string}`);
      return { width: chart.width, height: chart.height, points: chart.getDatasetMeta(d as number).data.map((p) => ({ x: p.x, y: p.y })) };
    },
    [byTestId(testid), datasetIndex] as const,
  );
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
export interface ScoreRow {
  step: number;
  path: string;
  state: string;
}

export async function scoreRows(frame: Frame): Promise<ScoreRow[]> {
  return frame.locator(byTestId(TESTID.scoreRow)).evaluateAll((els) =>
    els.map((r) => ({
      step: Number(r.getAttribute('data-step')),
      path: r.getAttribute('data-path') ?? '',
      state: r.getAttribute('data-state') ?? '',
    })),
  );
}

/** Waits until the panel's table has `count` rows, all scored; a failed row or an error dialog ends the wait at once. */
export async function waitAllScored(page: Page, frame: Frame, count: number): Promise<void> {
  await waitUntil(
    `all ${count} checkpoints to be scored and in the report`,
    async () => {
      const r = await scoreRows(frame);
      // Scores arrive before the report is rebuilt with them: the verdict says when it has caught up.
      const complete = await frame.locator(byTestId(TESTID.verdict)).getAttribute('data-report-complete');
      return r.length === count && r.every((x) => x.state === 'done') && complete === 'true';
    },
    {
      timeoutMs: SCORING_MS,
      everyMs: 500,
      guard: async () => {
        await assertNoErrors(page);
        const failed = (await scoreRows(frame)).filter((x) => x.state === 'failed');
        if (failed.length) throw new Error(`scoring failed for steps ${failed.map((x) => x.step).join(', ')}`);
      },
    },
  );
}

/** The first integer in a label ("step 1200 · CE 2.31" -> 1200). */
export function stepOf(label: string): number | undefined {
  const m = /\d+/.exec(label.replace(/,/g, ''));
  return m ? Number(m[0]) : undefined;
}
