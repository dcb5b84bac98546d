// The inspect view's charts: the coverage profile N ↦ Cov_N and the log-ratio histogram.
import { Chart, type ChartDataset, type ChartOptions } from 'chart.js';
import type { InspectData } from '../src/shared/protocol';
import { fmt } from '../src/shared/numberFormat';
import { baseOptions, opaquePng } from './charts';
import { withAlpha, type Palette } from './theme';

/** An inspect-view chart: redrawn from its last data when the theme changes. */
abstract class InspectChart<C extends Chart<'line', { x: number; y: number }[]> | Chart<'bar', number[], string>> {
  protected last: InspectData | null = null;

  constructor(
    protected readonly chart: C,
    protected palette: Palette,
  ) {}

  update(d: InspectData): void {
    this.last = d;
    this.draw(d);
  }

  protected abstract draw(d: InspectData): void;

  setPalette(p: Palette): void {
    this.palette = p;
    if (this.last) this.draw(this.last);
  }

  toPng(): string {
    return opaquePng(this.chart.canvas, this.palette.background);
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** The coverage profile N ↦ Cov_N with Wilson bands, for this checkpoint and the marked ones. */
export class ProfileChart extends InspectChart<Chart<'line', { x: number; y: number }[]>> {
  constructor(canvas: HTMLCanvasElement, palette: Palette) {
    super(new Chart(canvas, { type: 'line', data: { datasets: [] }, options: {} }), palette);
  }

  protected draw(d: InspectData): void {
    const p = this.palette;
    const color = { this: p.series[0], suggested: p.suggested, minCrossEntropy: p.minCe };
    const across = d.profiles.some((s) => s.run !== undefined);
    const name = {
      this: 'this checkpoint',
      suggested: across ? 'suggested across runs' : 'suggested',
      minCrossEntropy: across ? 'lowest CE across runs' : 'lowest CE',
    };
    const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = [];
    for (const s of d.profiles) {
      const c = color[s.role];
      const label = `${name[s.role]} (${s.run ? `${s.run} · ` : ''}step ${s.step})`;
      datasets.push({
        label: `${label} 95% lower`,
        data: s.points.map((q) => ({ x: q.n, y: q.lo })),
        borderColor: 'transparent',
        pointRadius: 0,
        fill: false,
      });
      datasets.push({
        label: `${label} 95% upper`,
        data: s.points.map((q) => ({ x: q.n, y: q.hi })),
        borderColor: 'transparent',
        backgroundColor: withAlpha(c, s.role === 'this' ? 0.25 : 0.12),
        pointRadius: 0,
        fill: '-1',
      });
      datasets.push({
        label: `Cov_N ${label}`,
        data: s.points.map((q) => ({ x: q.n, y: q.cov })),
        borderColor: c,
        backgroundColor: c,
        pointRadius: 2,
        borderWidth: s.role === 'this' ? 2.5 : 1.5,
      });
    }
    const options = baseOptions(p, 'N (log scale)', 'Cov_N · lower is better', true);
    options.plugins!.legend = { labels: { color: p.foreground, filter: (item) => !/95%/.test(item.text) } };
    options.plugins!.tooltip = {
      callbacks: {
        label: (item) => `${item.dataset.label}: ${fmt((item.raw as { y: number }).y, 6)} at N = ${(item.raw as { x: number }).x}`,
      },
    };
    this.chart.data.datasets = datasets;
    this.chart.options = options;
    this.chart.update();
  }
}

/** Histogram of the per-sample log-ratios L(i), with the selection threshold ln N marked in the title. */
export class HistogramChart extends InspectChart<Chart<'bar', number[], string>> {
  constructor(canvas: HTMLCanvasElement, palette: Palette) {
    super(new Chart(canvas, { type: 'bar', data: { labels: [], datasets: [] }, options: {} }), palette);
  }

  protected draw(d: InspectData): void {
    const h = d.logRatios;
    const p = this.palette;
    const edges = h?.edges ?? [];
    const lnN = Math.log(d.selectionN);
    this.chart.data.labels = (h?.counts ?? []).map((_, k) => fmt((edges[k] + edges[k + 1]) / 2, 3));
    this.chart.data.datasets = [
      {
        label: `samples by L = r − s (nats); right of ln ${d.selectionN} = ${fmt(lnN, 3)} counts as uncovered${h?.infinite ? ` · ${h.infinite} at +∞ not drawn` : ''}`,
        data: h?.counts ?? [],
        backgroundColor: (h?.counts ?? []).map((_, k) => (edges[k] >= lnN ? p.minCe : withAlpha(p.series[0], 0.7))),
      },
    ];
    const options = baseOptions(p, 'log-ratio L (nats)', 'samples', false) as unknown as ChartOptions<'bar'>;
    options.scales!.x = { ...options.scales!.x, type: 'category' };
    this.chart.options = options;
    this.chart.update();
  }
}
