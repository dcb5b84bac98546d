// chart.js wrappers: the curves over training (the inspect view's charts are in inspectCharts.ts).
// Chart is put on window so e2e tests can call Chart.getChart(canvas).
import { Chart, registerables, type ChartDataset, type ChartOptions, type TooltipItem } from 'chart.js';
import type { PanelUiState } from '../src/shared/uiState';
import { fmt } from '../src/shared/numberFormat';
import type { CurveData, Point, Series } from './shaping';
import { runColourOf, type Palette } from './theme';

Chart.register(...registerables);
(window as unknown as { Chart: typeof Chart }).Chart = Chart;

type XYChart = Chart<'line' | 'scatter', Point[]>;

export function baseOptions(p: Palette, xTitle: string, yTitle: string, xLog: boolean): ChartOptions<'line'> {
  const axis = (title: string, log: boolean) => ({
    type: log ? ('logarithmic' as const) : ('linear' as const),
    title: { display: true, text: title, color: p.foreground },
    ticks: { color: p.muted },
    grid: { color: p.grid },
  });
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', intersect: false },
    plugins: { legend: { labels: { color: p.foreground } } },
    scales: { x: axis(xTitle, xLog), y: axis(yTitle, false) },
  };
}

/** Dash patterns telling a run's N apart (several runs share the colours by run). */
const DASHES: number[][] = [[], [6, 3], [2, 3], [10, 3, 2, 3], [1, 2]];

/** A dataset with what the legend needs to toggle a whole run or a whole N. */
type CurveDataset = ChartDataset<'line', Point[]> & { run?: string; n?: number };

/**
 * The curve of one metric over training, one line per run (and per N in the coverage chart),
 * with markers for the suggested and lowest-CE checkpoints. With several runs the legend names the
 * runs by colour and the N by dash, and a click on a run's entry hides or shows all its lines.
 */
export class CurveChart {
  private readonly chart: XYChart;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly kind: 'ce' | 'cov',
    private palette: Palette,
    onPick: (id: { run: string; path: string }) => void,
  ) {
    this.chart = new Chart(canvas, { type: 'line', data: { datasets: [] }, options: {} }) as unknown as XYChart;
    this.onPick = onPick;
  }
  private readonly onPick: (id: { run: string; path: string }) => void;
  private last: { data: CurveData; ui: PanelUiState } | null = null;
  /** Runs and N the user hid from the legend, kept across redraws. */
  private readonly hidden = new Set<string>();
  /** What the chart draws now: most snapshots (progress while scoring) leave the curves as they are. */
  private drawn = '';

  update(data: CurveData, ui: PanelUiState): void {
    this.last = { data, ui };
    const drawn = JSON.stringify([data, ui.xScale, [...this.hidden]]);
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    const p = this.palette;
    const colour = (s: Series) => ('run' in s.tone ? runColourOf(p, s.tone.run) : p.series[s.tone.series % p.series.length]);
    const line = (s: Series): CurveDataset => {
      const c = colour(s);
      return {
        type: 'line',
        label: s.label,
        data: s.points,
        borderColor: c,
        backgroundColor: c,
        borderDash: DASHES[s.dash % DASHES.length],
        pointRadius: s.points.length > 150 ? 0 : 2.5,
        pointHoverRadius: 5,
        borderWidth: 1.5,
        tension: 0,
        run: s.run,
        n: s.n,
        hidden: this.hidden.has(`run:${s.run}`) || (s.n !== undefined && this.hidden.has(`n:${s.n}`)),
      };
    };
    const marker = (label: string, pt: Point | null | undefined, c: string, style: 'star' | 'triangle'): CurveDataset => ({
      type: 'scatter' as 'line',
      label,
      data: pt ? [pt] : [],
      borderColor: c,
      backgroundColor: c,
      pointStyle: style,
      pointRadius: 9,
      pointHoverRadius: 11,
      borderWidth: 2,
      showLine: false,
      hidden: this.hidden.has(`marker:${label}`),
    });
    const sel = this.kind === 'ce' ? 'ce' : 'cov';
    const across = data.byRun ? ' across runs' : '';
    const datasets = (this.kind === 'ce' ? data.ce : data.cov).map(line);
    datasets.push(
      marker(`suggested${across}`, data.suggested?.[sel], p.suggested, 'star'),
      marker(`lowest CE${across}`, data.minCrossEntropy?.[sel], p.minCe, 'triangle'),
    );
    const yTitle = this.kind === 'ce' ? 'CE per token (nats) · lower is better' : data.covAxisLabel;
    const options = baseOptions(p, data.xLabel, yTitle, ui.xScale === 'log');
    if (data.byRun) options.plugins!.legend = this.runLegend(data.byRun, datasets);
    const runName = new Map((data.byRun?.runs ?? []).map((r) => [r.run, r.label]));
    options.plugins!.tooltip = {
      callbacks: {
        title: (items: TooltipItem<'line'>[]) => {
          const raw = items[0]?.raw as Point | undefined;
          return raw ? `${runName.has(raw.run) ? `${runName.get(raw.run)} · ` : ''}step ${raw.step} · ${raw.path}` : '';
        },
        label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${fmt((item.raw as Point).y, 6)}`,
      },
    };
    options.onClick = (_e, elements) => {
      const el = elements[0];
      if (!el) return;
      const pt = this.chart.data.datasets[el.datasetIndex]?.data[el.index] as Point | undefined;
      if (pt) this.onPick({ run: pt.run, path: pt.path });
    };
    this.chart.data.datasets = datasets as XYChart['data']['datasets'];
    this.chart.options = options as XYChart['options'];
    this.chart.update();
  }

  /** One entry per run (its colour), one per N when the coverage chart shows several (its dash), then the markers. */
  private runLegend(byRun: NonNullable<CurveData['byRun']>, datasets: CurveDataset[]) {
    const p = this.palette;
    type Item = {
      text: string;
      fillStyle: string;
      strokeStyle: string;
      lineWidth: number;
      lineDash?: number[];
      hidden: boolean;
      fontColor: string;
      key: string;
      pointStyle?: 'star' | 'triangle';
    };
    const items: Item[] = byRun.runs.map((r) => ({
      text: r.label,
      fillStyle: runColourOf(p, r.colour),
      strokeStyle: runColourOf(p, r.colour),
      lineWidth: 2,
      hidden: this.hidden.has(`run:${r.run}`),
      fontColor: p.foreground,
      key: `run:${r.run}`,
    }));
    if (this.kind === 'cov' && byRun.ns.length > 1) {
      byRun.ns.forEach((n, i) =>
        items.push({
          text: `N = ${n}`,
          fillStyle: 'transparent',
          strokeStyle: p.muted,
          lineWidth: 2,
          lineDash: DASHES[i % DASHES.length],
          hidden: this.hidden.has(`n:${n}`),
          fontColor: p.foreground,
          key: `n:${n}`,
        }),
      );
    }
    for (const d of datasets.filter((x) => x.run === undefined)) {
      items.push({
        text: d.label ?? '',
        fillStyle: d.backgroundColor as string,
        strokeStyle: d.borderColor as string,
        lineWidth: 2,
        hidden: this.hidden.has(`marker:${d.label}`),
        fontColor: p.foreground,
        key: `marker:${d.label}`,
        pointStyle: d.pointStyle as 'star' | 'triangle',
      });
    }
    return {
      labels: { color: p.foreground, usePointStyle: false, generateLabels: () => items },
      onClick: (_e: unknown, item: { key?: string }) => {
        const key = (item as Item).key;
        if (this.hidden.has(key)) this.hidden.delete(key);
        else this.hidden.add(key);
        if (this.last) this.update(this.last.data, this.last.ui);
      },
    } as unknown as NonNullable<ChartOptions<'line'>['plugins']>['legend'];
  }

  setPalette(p: Palette): void {
    this.palette = p;
    this.drawn = '';
    if (this.last) this.update(this.last.data, this.last.ui);
  }

  toPng(): string {
    return opaquePng(this.chart.canvas, this.palette.background);
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/**
 * The chart as a PNG on the theme's background. chart.js leaves the canvas transparent, so an
 * export from a dark theme would put light text on whatever page it is pasted into.
 */
export function opaquePng(canvas: HTMLCanvasElement, background: string): string {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d');
  if (!ctx) return canvas.toDataURL('image/png');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  return out.toDataURL('image/png');
}
