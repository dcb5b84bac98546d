// The inspect view of one checkpoint: coverage profile with Wilson bands, log-ratio
// histogram, tournament row, worst-covered samples as heat strips, Pass@N.
// Eval text is untrusted: it only ever reaches the page through textContent (dom.ts).
import type { InspectData, WorstSample } from '../src/shared/protocol';
import { fmt } from '../src/shared/numberFormat';
import { HistogramChart, ProfileChart } from './inspectCharts';
import { clear, h } from './dom';
import { tokenHeat } from './shaping';
import { withAlpha, type Palette } from './theme';

export class InspectView {
  readonly root = h('section', { 'data-testid': 'inspect', class: 'inspect', hidden: '' });
  private profile: ProfileChart | null = null;
  private histogram: HistogramChart | null = null;
  private data: InspectData | null = null;
  /** A run's colour in the panel while several runs are shown (null with one): its checkpoint's profile is drawn in it. */
  colourOf: (run: string) => string | null = () => null;

  constructor(
    private palette: Palette,
    private readonly onClose: () => void,
  ) {}

  /** The checkpoint shown (its run's folder and path), once its data came. */
  get shown(): { run: string; path: string } | null {
    return this.data ? { run: this.data.run, path: this.data.path } : null;
  }

  /** `runName`: the run's label; with several runs a path alone is ambiguous. */
  showLoading(runName: string, path: string): void {
    this.destroyCharts();
    clear(this.root);
    this.root.hidden = false;
    this.root.append(h('h2', {}, `Inspect ${runName} · ${path}`), h('p', { 'data-testid': 'inspect-loading' }, 'Loading…'));
  }

  showError(runName: string, path: string, message: string): void {
    this.destroyCharts();
    clear(this.root);
    this.root.hidden = false;
    this.root.append(this.header(`Inspect ${runName} · ${path}`), h('p', { 'data-testid': 'inspect-error', class: 'error' }, message));
  }

  show(d: InspectData): void {
    this.data = d;
    this.destroyCharts();
    clear(this.root);
    this.root.hidden = false;
    this.root.dataset.path = d.path;
    this.root.dataset.run = d.run;
    this.root.append(
      this.header(`${d.runName} · step ${d.step} · ${d.path}`),
      h('p', { 'data-testid': 'inspect-model', class: 'muted' }, `Model: ${d.model}`),
    );
    this.root.append(
      h(
        'p',
        { class: 'muted' },
        `Reference: ${d.reference ?? 'unknown'}. Cov_N is the share of samples this checkpoint under-weights by N× or more: lower is better.`,
      ),
    );
    for (const n of d.notes) this.root.append(h('p', { class: 'note' }, n));

    const profileCanvas = h('canvas', { 'data-testid': 'chart-profile', 'aria-label': 'coverage profile' });
    this.root.append(
      h(
        'div',
        { 'data-testid': 'inspect-profile', class: 'section' },
        h('h3', {}, 'Coverage profile N ↦ Cov_N (95% Wilson bands)'),
        h('div', { class: 'chart-box' }, profileCanvas),
      ),
    );
    this.profile = new ProfileChart(profileCanvas, this.profilePalette(this.palette));
    this.profile.update(d);

    const histCanvas = h('canvas', { 'data-testid': 'chart-logratios', 'aria-label': 'log-ratio distribution' });
    this.root.append(
      h(
        'div',
        { 'data-testid': 'inspect-logratios', class: 'section' },
        h('h3', {}, 'Per-sample log-ratios L = r − s'),
        d.logRatios ? h('div', { class: 'chart-box' }, histCanvas) : h('p', { class: 'muted' }, 'No reference log-probabilities.'),
      ),
    );
    if (d.logRatios) {
      this.histogram = new HistogramChart(histCanvas, this.palette);
      this.histogram.update(d);
    }

    this.root.append(this.tournament(d));
    if (d.byLength) this.root.append(this.byLength(d, d.byLength));
    this.root.append(this.worst(d));
    if (d.passAt) {
      const rows = Object.entries(d.passAt).sort((a, b) => Number(a[0]) - Number(b[0]));
      this.root.append(
        h(
          'div',
          { 'data-testid': 'inspect-passat', class: 'section' },
          h('h3', {}, 'Pass@N (point-mass reference)'),
          h(
            'table',
            { class: 'figures' },
            h('tbody', {}, ...rows.map(([n, v]) => h('tr', {}, h('td', {}, `N = ${n}`), h('td', {}, fmt(v, 5))))),
          ),
        ),
      );
    }
  }

  /** The palette the profile chart draws with: this checkpoint in its run's colour when runs are compared. */
  private profilePalette(p: Palette): Palette {
    const own = this.data ? this.colourOf(this.data.run) : null;
    return own ? { ...p, series: [own, ...p.series.slice(1)] } : p;
  }

  hide(): void {
    this.destroyCharts();
    this.data = null;
    this.root.hidden = true;
    clear(this.root);
  }

  setPalette(p: Palette): void {
    this.palette = p;
    this.profile?.setPalette(this.profilePalette(p));
    this.histogram?.setPalette(p);
    if (this.data)
      for (const cell of this.root.querySelectorAll<HTMLElement>('[data-heat]'))
        cell.style.backgroundColor = withAlpha(p.heat, Number(cell.dataset.heat) * 0.8);
  }

  images(): { name: string; dataUrl: string }[] {
    const out: { name: string; dataUrl: string }[] = [];
    const tag = this.data ? `step-${this.data.step}` : 'inspect';
    if (this.profile) out.push({ name: `coverage-profile-${tag}`, dataUrl: this.profile.toPng() });
    if (this.histogram) out.push({ name: `log-ratios-${tag}`, dataUrl: this.histogram.toPng() });
    return out;
  }

  /** Scrolls the view's top into sight (after a click on a point or a row, not on a reload). */
  reveal(): void {
    this.root.scrollIntoView({ block: 'start' });
  }

  private header(title: string): HTMLElement {
    const close = h('button', { 'data-testid': 'inspect-close', class: 'link', title: 'Close the inspect view' }, 'close');
    close.addEventListener('click', () => this.onClose());
    return h('div', { class: 'inspect-head' }, h('h2', {}, title), close);
  }

  private tournament(d: InspectData): HTMLElement {
    const sec = h('div', { 'data-testid': 'inspect-tournament', class: 'section' }, h('h3', {}, `Tournament row (N = ${d.selectionN})`));
    const t = d.tournament;
    if (!t) {
      sec.append(h('p', { class: 'muted' }, 'Not in the tournament yet.'));
      return sec;
    }
    const across = t.rivals.some((r) => r.run !== undefined);
    const rival = t.rivalStep === null ? '' : `, strongest rival: step ${t.rivalStep}${t.rivalRun ? ` of ${t.rivalRun}` : ''}`;
    sec.append(
      h(
        'p',
        {},
        `Score ${fmt(t.score, 5)}${rival}${across ? ' (over every compared run)' : ''}. Each rival's share is the fraction of samples on which it gives the response at least ${d.selectionN}× this checkpoint's probability.`,
      ),
    );
    const rows = t.rivals.slice(0, 12);
    sec.append(
      h(
        'table',
        { class: 'figures' },
        h(
          'thead',
          {},
          h('tr', {}, ...(across ? [h('th', {}, 'rival run')] : []), h('th', {}, 'rival step'), h('th', {}, 'out-covers this on')),
        ),
        h(
          'tbody',
          {},
          ...rows.map((r) =>
            h(
              'tr',
              { 'data-testid': 'tournament-rival', 'data-step': String(r.step), 'data-run': r.run },
              ...(across ? [h('td', { class: 'run' }, r.run ?? '')] : []),
              h('td', {}, String(r.step)),
              h('td', {}, `${fmt(r.share * 100, 4)}%`),
            ),
          ),
        ),
      ),
    );
    return sec;
  }

  /** CE per token and Cov_N by response-length quartile: coverage need not degrade with length as CE per sequence does. */
  private byLength(d: InspectData, quartiles: NonNullable<InspectData['byLength']>): HTMLElement {
    const sec = h(
      'div',
      { 'data-testid': 'inspect-bylength', class: 'section' },
      h('h3', {}, 'By response length (quartiles of the eval set)'),
    );
    const keys = [...new Set(quartiles.flatMap((q) => Object.keys(q.coverage)))].map(Number).sort((a, b) => a - b);
    const wanted = [2, d.selectionN, 256].filter((n) => keys.includes(n));
    const ns = wanted.length ? [...new Set(wanted)] : keys.slice(0, 3);
    const tokens = (q: (typeof quartiles)[number]) =>
      q.minTokens === null ? '—' : q.minTokens === q.maxTokens ? String(q.minTokens) : `${q.minTokens}–${q.maxTokens}`;
    sec.append(
      h(
        'table',
        { class: 'figures' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'quartile'),
            h('th', {}, 'response tokens'),
            h('th', {}, 'samples'),
            h('th', {}, 'CE/token'),
            ...ns.map((n) => h('th', {}, `Cov_${n}`)),
          ),
        ),
        h(
          'tbody',
          {},
          ...quartiles.map((q) =>
            h(
              'tr',
              { 'data-testid': 'bylength-row', 'data-quartile': String(q.quartile) },
              h('td', {}, `Q${q.quartile}`),
              h('td', {}, tokens(q)),
              h('td', {}, String(q.samples)),
              h('td', {}, fmt(q.cePerToken, 5)),
              ...ns.map((n) => h('td', {}, fmt(q.coverage[String(n)], 3))),
            ),
          ),
        ),
      ),
    );
    return sec;
  }

  private worst(d: InspectData): HTMLElement {
    const sec = h(
      'div',
      { 'data-testid': 'inspect-worst', class: 'section' },
      h('h3', {}, 'Worst-covered samples (per-token log-probs as heat)'),
    );
    if (d.worst.length === 0) sec.append(h('p', { class: 'muted' }, 'No per-sample log-ratios to rank.'));
    for (const w of d.worst) sec.append(this.sample(w));
    return sec;
  }

  private sample(w: WorstSample): HTMLElement {
    const strip = h('div', { class: 'heat-strip', dir: 'ltr' });
    if (w.prompt) strip.append(h('span', { class: 'prompt' }, w.prompt));
    for (const t of w.tokens) {
      const heat = tokenHeat(t.logprob);
      const cell = h('span', { class: 'tok', title: `${fmt(t.logprob, 5)} nats`, 'data-heat': heat.toFixed(3) }, t.text);
      cell.style.backgroundColor = withAlpha(this.palette.heat, heat * 0.8);
      strip.append(cell);
    }
    return h(
      'div',
      { class: 'sample', 'data-testid': 'worst-sample', 'data-line': String(w.line) },
      h(
        'div',
        { class: 'muted' },
        `line ${w.line}${w.id !== null ? ` · id ${w.id}` : ''} · L = ${fmt(w.logRatio, 5)} nats · log p = ${fmt(w.seqLogprob, 5)}`,
      ),
      strip,
    );
  }

  private destroyCharts(): void {
    this.profile?.destroy();
    this.histogram?.destroy();
    this.profile = null;
    this.histogram = null;
  }
}
