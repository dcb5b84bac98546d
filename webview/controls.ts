// The panel's controls: the x axis and its scale, drawing 1 − Cov_N, which N to show (presets, or
// any N of the grid behind "custom"), and the export, rescore and log buttons.
import type { PanelSnapshot } from '../src/shared/protocol';
import type { PanelUiState } from '../src/shared/uiState';
import { button, checkbox, dropdown } from './components';
import { clear, h } from './dom';
import { availableN, nPresets, presetKey, shownN } from './shaping';

export interface ControlEvents {
  setUi: (patch: Partial<PanelUiState>) => void;
  exportFigures: (format: 'csv' | 'json') => void;
  saveCharts: () => void;
  rescore: () => void;
  showLog: () => void;
}

/** Whether the custom N list is open, kept across the controls' re-renders. */
let customOpen = false;

export function renderControls(controls: HTMLElement, s: PanelSnapshot, ui: PanelUiState, on: ControlEvents): void {
  clear(controls);
  const ns = availableN(s);
  const shown = shownN(s, ui);
  const opts = <const T extends string>(...pairs: [T, string][]) => pairs.map(([value, label]) => ({ value, label }));
  const xAxis = dropdown('x-axis', opts(['step', 'step'], ['tokens', 'training tokens']), ui.xAxis, (v) => on.setUi({ xAxis: v }));
  const xScale = dropdown('x-scale', opts(['linear', 'linear'], ['log', 'log']), ui.xScale, (v) => on.setUi({ xScale: v }));
  controls.append(
    h('label', {}, 'x: ', xAxis),
    h('label', {}, ' scale: ', xScale),
    checkbox('draw 1 − Cov_N (covered)', 'covered-toggle', ui.covered, (c) => on.setUi({ covered: c })),
  );
  // A compact N chooser: presets in a dropdown, and every N of the grid behind "custom".
  const presets = nPresets(s);
  const grid = h('div', { class: 'n-grid' });
  for (const n of ns) {
    grid.append(
      checkbox(String(n), `n-${n}`, shown.includes(n), (c) => {
        const next = c ? [...new Set([...shown, n])] : shown.filter((x) => x !== n);
        on.setUi({ shownN: next.sort((a, b) => a - b) });
      }),
    );
  }
  const custom = h('details', { class: 'n-choice', 'data-testid': 'n-choice' }, h('summary', {}, 'custom'), grid);
  if (customOpen) custom.setAttribute('open', '');
  custom.addEventListener('toggle', () => {
    customOpen = (custom as HTMLDetailsElement).open;
  });
  const options = [...presets.map((p) => ({ value: p.key, label: p.label })), { value: 'custom', label: 'custom' }];
  const preset = dropdown('n-preset', options, presetKey(presets, shown), (v) => {
    const p = presets.find((x) => x.key === v);
    if (p) on.setUi({ shownN: p.ns });
    else {
      customOpen = true;
      custom.setAttribute('open', '');
    }
  });
  controls.append(
    h('span', { class: 'n-pick' }, 'Cov_N for N =', preset, custom),
    button('Export CSV', 'export-csv', () => on.exportFigures('csv'), true),
    button('Export JSON', 'export-json', () => on.exportFigures('json'), true),
    button('Save charts as PNG', 'export-png', () => on.saveCharts(), true),
    button('Rescore', 'rescore', on.rescore, true),
    button('Show Log', 'show-log', on.showLog, true),
  );
}
