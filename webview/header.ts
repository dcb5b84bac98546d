// The panel's head: the error banner, the title, the verdict (its data attributes carry the marks
// the e2e tests read), the progress line with the reference and selection N, and the run warnings.
import type { PanelSnapshot } from '../src/shared/protocol';
import { clear, h, text } from './dom';
import { escapeBidi, marks, progressLine, runWarnings, selectionN, verdictText } from './shaping';

export class PanelHeader {
  private readonly banner = h('div', { 'data-testid': 'error-banner', class: 'banner error', role: 'alert', hidden: '' });
  private readonly title = h('h1', { 'data-testid': 'run-title' }, 'Checkpoint Coverage');
  private readonly verdict = h('p', { 'data-testid': 'verdict', class: 'verdict' }, 'No run is open.');
  private readonly progress = h('p', { 'data-testid': 'progress', class: 'muted' });
  private readonly warnings = h('ul', { 'data-testid': 'warnings', class: 'warnings' });

  get elements(): HTMLElement[] {
    return [this.banner, this.title, this.verdict, this.progress, this.warnings];
  }

  showError(message: string | null): void {
    this.banner.hidden = message === null;
    text(this.banner, message ?? '');
  }

  render(s: PanelSnapshot | null): void {
    const { title, verdict, progress, warnings } = this;
    if (!s || s.runs.length === 0) {
      text(title, 'Checkpoint Coverage');
      text(verdict, verdictText(s ?? { version: 0, runs: [], across: null, acrossError: null }));
      text(progress, '');
      this.showError(null);
      return;
    }
    const one = s.runs.length === 1 ? s.runs[0] : null;
    text(title, `Checkpoint Coverage · ${one ? one.label : `${s.runs.length} runs`}`);
    title.setAttribute('title', escapeBidi(s.runs.map((r) => r.runPath).join('\n')));
    text(verdict, verdictText(s));
    const m = marks(s);
    verdict.dataset.suggestedStep = m.suggested ? String(m.suggested.step) : '';
    verdict.dataset.suggestedRun = m.suggested?.run ?? '';
    verdict.dataset.minCeStep = m.minCrossEntropy ? String(m.minCrossEntropy.step) : '';
    verdict.dataset.reportComplete = String(s.runs.every((r) => r.reportComplete));
    const dev = one ? one.dev : (s.across?.dev ?? null);
    const references = [...new Set(s.runs.map((r) => r.reference ?? 'not known yet'))].join(', ');
    text(
      progress,
      `${progressLine(s)} · reference: ${references} · selection N = ${selectionN(s)}${dev !== null ? ` · dev = ${dev.toFixed(4)}` : ''}`,
    );
    const errors = s.runs.filter((r) => r.error).map((r) => (one ? r.error! : `${r.label}: ${r.error}`));
    this.showError(errors.length ? errors.join(' · ') : null);
    clear(warnings);
    for (const w of runWarnings(s).slice(0, 20)) warnings.append(h('li', {}, w));
  }
}
