// Browser entry of the panel: pulls the snapshot on start, redraws on every pushed snapshot,
// keeps its UI state (versioned) across reloads, and exposes chart data for e2e tests.
import type { HostToWebviewNotification, HostToWebviewRequest, PanelUiState, RunSnapshot, WebviewToHostNotification, WebviewToHostRequest } from '../src/shared/protocol';
import { RpcEndpoint, errorText, type RpcWire } from '../src/shared/rpc';
import { CurveChart } from './charts';
import { button, checkbox, dropdown } from './components';
import { clear, h, text } from './dom';
import { InspectView } from './inspect';
import { availableN, curveData, nPresets, presetKey, progressLine, restoreUiState, shownN, verdictText, escapeBidi } from './shaping';
import { renderTable } from './table';
import { readPalette, watchTheme } from './theme';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const rpc = new RpcEndpoint<WebviewToHostRequest, HostToWebviewRequest, WebviewToHostNotification, HostToWebviewNotification>((w: RpcWire) => vscode.postMessage(w), { timeoutMs: 60_000 });
window.addEventListener('message', (e: MessageEvent) => void rpc.receive(e.data));

let ui: PanelUiState = restoreUiState(vscode.getState());
let snap: RunSnapshot | null = null;
let palette = readPalette();

// ---- layout ----
const app = document.getElementById('app')!;
clear(app);
const banner = h('div', { 'data-testid': 'error-banner', class: 'banner error', role: 'alert', hidden: '' });
const title = h('h1', { 'data-testid': 'run-title' }, 'Checkpoint Coverage');
const verdict = h('p', { 'data-testid': 'verdict', class: 'verdict' }, 'No run is open.');
const progress = h('p', { 'data-testid': 'progress', class: 'muted' });
const warnings = h('ul', { 'data-testid': 'warnings', class: 'warnings' });
const controls = h('div', { 'data-testid': 'controls', class: 'controls' });
const notes = h('p', { 'data-testid': 'chart-notes', class: 'muted' });
const ceCanvas = h('canvas', { 'data-testid': 'chart-ce', id: 'chart-ce', 'aria-label': 'cross-entropy per token over training' });
const covCanvas = h('canvas', { 'data-testid': 'chart-cov', id: 'chart-cov', 'aria-label': 'coverage over training' });
const charts = h('div', { class: 'charts' }, h('div', { class: 'chart-box' }, ceCanvas), h('div', { class: 'chart-box' }, covCanvas));
const tableBox = h('div', { 'data-testid': 'table', class: 'table-box' });
const inspect = new InspectView(palette, () => {
  ui = { ...ui, inspecting: null };
  save();
  inspect.hide();
});
app.append(banner, title, verdict, progress, warnings, controls, notes, charts, inspect.root, h('h2', {}, 'All checkpoints'), tableBox);

const ceChart = new CurveChart(ceCanvas, 'ce', palette, (path) => void pick(path));
const covChart = new CurveChart(covCanvas, 'cov', palette, (path) => void pick(path));

watchTheme((p) => {
  palette = p;
  ceChart.setPalette(p);
  covChart.setPalette(p);
  inspect.setPalette(p);
  document.body.dataset.theme = document.body.className;
});

function save(): void {
  vscode.setState(ui);
}

function setUi(patch: Partial<PanelUiState>): void {
  ui = { ...ui, ...patch };
  save();
  render();
}

function showError(message: string | null): void {
  banner.hidden = message === null;
  text(banner, message ?? '');
}

function renderControls(s: RunSnapshot): void {
  clear(controls);
  const ns = availableN(s);
  const shown = shownN(s, ui);
  controls.append(
    h('label', {}, 'x: ', dropdown('x-axis', [{ value: 'step', label: 'step' }, { value: 'tokens', label: 'training tokens' }], ui.xAxis, (v) => setUi({ xAxis: v }))),
    h('label', {}, ' scale: ', dropdown('x-scale', [{ value: 'linear', label: 'linear' }, { value: 'log', label: 'log' }], ui.xScale, (v) => setUi({ xScale: v }))),
    checkbox('draw 1 − Cov_N (covered)', 'covered-toggle', ui.covered, (c) => setUi({ covered: c })),
  );
  // A compact N chooser: presets in a dropdown, and every N of the grid behind "custom".
  const presets = nPresets(s);
  const grid = h('div', { class: 'n-grid' });
  for (const n of ns) {
    grid.append(checkbox(String(n), `n-${n}`, shown.includes(n), (c) => {
      const next = c ? [...new Set([...shown, n])] : shown.filter((x) => x !== n);
      setUi({ shownN: next.sort((a, b) => a - b) });
    }));
  }
  const custom = h('details', { class: 'n-choice', 'data-testid': 'n-choice' }, h('summary', {}, 'custom'), grid);
  if (customOpen) custom.setAttribute('open', '');
  custom.addEventListener('toggle', () => { customOpen = (custom as HTMLDetailsElement).open; });
  const options = [...presets.map((p) => ({ value: p.key, label: p.label })), { value: 'custom', label: 'custom' }];
  const preset = dropdown('n-preset', options, presetKey(presets, shown), (v) => {
    const p = presets.find((x) => x.key === v);
    if (p) setUi({ shownN: p.ns });
    else {
      customOpen = true;
      custom.setAttribute('open', '');
    }
  });
  controls.append(h('span', { class: 'n-pick' }, 'Cov_N for N =', preset, custom),
    button('Export CSV', 'export-csv', () => void exportFigures('csv'), true),
    button('Export JSON', 'export-json', () => void exportFigures('json'), true),
    button('Save charts as PNG', 'export-png', () => void saveCharts(), true),
    button('Rescore', 'rescore', () => rpc.notify('rescoreCommandNotification', {}), true),
    button('Show Log', 'show-log', () => rpc.notify('showLogCommandNotification', {}), true));
}

let controlsKey = '';
/** Whether the custom N list is open, kept across the controls' re-renders. */
let customOpen = false;

function render(): void {
  const s = snap;
  if (!s) {
    text(verdict, 'No run is open. Use "Checkpoint Coverage: Open Run…".');
    return;
  }
  text(title, `Checkpoint Coverage · ${s.runName}`);
  title.setAttribute('title', escapeBidi(s.runPath));
  text(verdict, verdictText(s));
  verdict.dataset.suggestedStep = s.suggested ? String(s.suggested.step) : '';
  verdict.dataset.minCeStep = s.minCrossEntropy ? String(s.minCrossEntropy.step) : '';
  verdict.dataset.reportComplete = String(s.reportComplete);
  text(progress, `${progressLine(s)} · reference: ${s.reference ?? 'not known yet'} · selection N = ${s.selectionN}${s.dev !== null ? ` · dev = ${s.dev.toFixed(4)}` : ''}`);
  showError(s.error);
  clear(warnings);
  for (const w of [...s.warnings, ...s.problems].slice(0, 20)) warnings.append(h('li', {}, w));
  const key = JSON.stringify([availableN(s), ui]);
  if (key !== controlsKey) {
    controlsKey = key;
    renderControls(s);
  }
  const data = curveData(s, ui);
  text(notes, data.notes.join(' '));
  ceChart.update(data, ui);
  covChart.update(data, ui);
  renderTable(tableBox, s, shownN(s, ui), ui.inspecting, (path) => void pick(path));
}

/** Opens the inspect view of a checkpoint; `reveal` scrolls it into sight (a click, not a reload). */
async function pick(path: string, reveal = true): Promise<void> {
  ui = { ...ui, inspecting: path };
  save();
  rpc.notify('didSelectCheckpointNotification', { path });
  inspect.showLoading(path);
  // Its top, not 'nearest': the view sits below the charts and grows once its data arrives, so
  // scrolling to its nearest edge showed only the loading line at the bottom of the panel.
  if (reveal) inspect.reveal();
  try {
    const d = await rpc.request('inspectCheckpointRequest', { path });
    if (ui.inspecting === path) {
      inspect.show(d);
      if (reveal) inspect.reveal();
    }
  } catch (err) {
    if (ui.inspecting === path) inspect.showError(path, errorText(err));
  }
}

async function exportFigures(format: 'csv' | 'json'): Promise<void> {
  try {
    await rpc.request('exportFiguresRequest', { format }, 0);
  } catch (err) {
    report(`Export failed: ${errorText(err)}`);
  }
}

function chartImages(): { name: string; dataUrl: string }[] {
  return [{ name: 'cross-entropy', dataUrl: ceChart.toPng() }, { name: 'coverage', dataUrl: covChart.toPng() }, ...inspect.images()];
}

async function saveCharts(): Promise<void> {
  try {
    for (const img of chartImages()) if ((await rpc.request('saveChartImageRequest', img, 0)) === null) break;
  } catch (err) {
    report(`Saving the charts failed: ${errorText(err)}`);
  }
}

function report(message: string): void {
  showError(message);
  rpc.notify('didHitErrorNotification', { message });
}

rpc.onNotification('didChangeSnapshotNotification', (s) => {
  if (snap && s.version < snap.version && s.runPath === snap.runPath) return;
  const runChanged = snap?.runPath !== s.runPath;
  snap = s;
  inspect.runName = s.runName;
  if (runChanged && ui.runPath !== s.runPath) {
    ui = { ...ui, runPath: s.runPath, inspecting: null };
    inspect.hide();
  }
  save();
  render();
});
rpc.onNotification('showInspectNotification', ({ path }) => void pick(path));
rpc.onRequest('collectChartImagesRequest', () => chartImages());

window.addEventListener('error', (e) => report(`Panel error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => report(`Panel error: ${errorText(e.reason)}`));

/** For e2e tests: what the panel holds and what the charts draw. */
(window as unknown as { __ccDebug: unknown }).__ccDebug = {
  snapshot: () => snap,
  uiState: () => ui,
  charts: { ce: ceCanvas, cov: covCanvas },
  inspecting: () => inspect.path,
};

void (async () => {
  try {
    snap = await rpc.request('getSnapshotRequest', {});
    if (snap) ui = { ...ui, runPath: snap.runPath };
    save();
    render();
    if (snap) inspect.runName = snap.runName;
    if (snap && ui.inspecting && snap.rows.some((r) => r.path === ui.inspecting)) void pick(ui.inspecting, false);
    document.body.dataset.ready = 'true';
  } catch (err) {
    report(`Could not load the run: ${errorText(err)}`);
  }
})();
