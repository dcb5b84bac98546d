// Browser entry of the panel: pulls the snapshot on start, redraws on every pushed snapshot,
// keeps its UI state (versioned: the runs shown, the view's choices) across reloads, and exposes
// chart data for e2e tests.
import type {
  HostToWebviewNotification,
  HostToWebviewRequest,
  PanelSnapshot,
  RunCheckpointId,
  WebviewToHostNotification,
  WebviewToHostRequest,
} from '../src/shared/protocol';
import { RpcEndpoint, errorText, type RpcWire } from '../src/shared/rpc';
import { restoreUiState, type PanelUiState } from '../src/shared/uiState';
import { CurveChart } from './charts';
import { renderControls } from './controls';
import { clear, h, text } from './dom';
import { PanelHeader } from './header';
import { InspectView } from './inspect';
import { runFilter, runsBar } from './runsBar';
import { availableN, curveData, selectionN, shownN } from './shaping';
import { renderTable } from './table';
import { readPalette, runColourOf, watchTheme } from './theme';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const rpc = new RpcEndpoint<WebviewToHostRequest, HostToWebviewRequest, WebviewToHostNotification, HostToWebviewNotification>(
  (w: RpcWire) => vscode.postMessage(w),
  { timeoutMs: 60_000 },
);
window.addEventListener('message', (e: MessageEvent) => void rpc.receive(e.data));

let ui: PanelUiState = restoreUiState(vscode.getState());
let snap: PanelSnapshot | null = null;
let palette = readPalette();

// ---- layout ----
const app = document.getElementById('app')!;
clear(app);
const header = new PanelHeader();
const runsBox = h('div', { class: 'runs' });
const controls = h('div', { 'data-testid': 'controls', class: 'controls' });
const notes = h('p', { 'data-testid': 'chart-notes', class: 'muted' });
const ceCanvas = h('canvas', { 'data-testid': 'chart-ce', id: 'chart-ce', 'aria-label': 'cross-entropy per token over training' });
const covCanvas = h('canvas', { 'data-testid': 'chart-cov', id: 'chart-cov', 'aria-label': 'coverage over training' });
const charts = h('div', { class: 'charts' }, h('div', { class: 'chart-box' }, ceCanvas), h('div', { class: 'chart-box' }, covCanvas));
const tableBox = h('div', { 'data-testid': 'table', class: 'table-box' });
const tableControls = h('div', { class: 'table-controls' });
const inspect = new InspectView(palette, () => {
  ui = { ...ui, inspecting: null };
  save();
  inspect.hide();
});
app.append(
  ...header.elements,
  runsBox,
  controls,
  notes,
  charts,
  inspect.root,
  h('div', { class: 'table-head' }, h('h2', {}, 'All checkpoints'), tableControls),
  tableBox,
);

inspect.colourOf = (run) => {
  const r = snap && snap.runs.length > 1 ? snap.runs.find((x) => x.runPath === run) : undefined;
  return r ? runColourOf(palette, r.colour) : null;
};
const ceChart = new CurveChart(ceCanvas, 'ce', palette, (id) => void pick(id));
const covChart = new CurveChart(covCanvas, 'cov', palette, (id) => void pick(id));

watchTheme((p) => {
  palette = p;
  ceChart.setPalette(p);
  covChart.setPalette(p);
  inspect.setPalette(p);
  runsKey = '';
  document.body.dataset.theme = document.body.className;
  render();
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
  header.showError(message);
}

let controlsKey = '';
let runsKey = '';
let acrossKey = '';
let filterKey = '';

function render(): void {
  const s = snap;
  header.render(s);
  if (!s || s.runs.length === 0) return;
  const rKey = JSON.stringify([s.runs.map((r) => [r.runPath, r.label, r.colour, r.error !== null]), palette.runs]);
  // Runs came or went, or the comparison moved: an open inspect view is measured against it.
  const aKey = JSON.stringify([
    s.runs.map((r) => r.runPath),
    s.across?.suggested ?? null,
    s.across?.minCrossEntropy ?? null,
    s.across === null,
  ]);
  if (aKey !== acrossKey) {
    const reinspect = acrossKey !== '' && ui.inspecting !== null && inspect.shown !== null;
    acrossKey = aKey;
    if (reinspect) void pick(ui.inspecting!, false);
  }
  if (rKey !== runsKey) {
    runsKey = rKey;
    clear(runsBox);
    runsBox.append(runsBar(s, palette, { add: () => rpc.notify('addRunCommandNotification', {}), remove: removeRun }));
  }
  const key = JSON.stringify([availableN(s), selectionN(s), ui]);
  if (key !== controlsKey) {
    controlsKey = key;
    renderControls(controls, s, ui, {
      setUi,
      exportFigures: (format) => void exportFigures(format),
      saveCharts: () => void saveCharts(),
      rescore: () => rpc.notify('rescoreCommandNotification', {}),
      showLog: () => rpc.notify('showLogCommandNotification', {}),
    });
  }
  const fKey = JSON.stringify([s.runs.map((r) => [r.runPath, r.label]), ui.runFilter]);
  if (fKey !== filterKey) {
    filterKey = fKey;
    clear(tableControls);
    const f = runFilter(s, ui, { view: (patch) => setUi(patch) });
    if (f) tableControls.append(f);
  }
  const data = curveData(s, ui);
  text(notes, data.notes.join(' '));
  ceChart.update(data, ui);
  covChart.update(data, ui);
  renderTable(tableBox, s, shownN(s, ui), ui, { pick: (id) => void pick(id), view: (patch) => setUi(patch) });
}

function removeRun(run: string): void {
  // Forgotten at once, so a reload now does not bring it back.
  ui = {
    ...ui,
    runs: ui.runs.filter((r) => r.path !== run),
    inspecting: ui.inspecting?.run === run ? null : ui.inspecting,
    runFilter: ui.runFilter === run ? null : ui.runFilter,
  };
  if (!ui.inspecting) inspect.hide();
  save();
  rpc.notify('removeRunCommandNotification', { run });
}

const labelOf = (run: string): string => snap?.runs.find((r) => r.runPath === run)?.label ?? run;
const same = (a: RunCheckpointId | null, b: RunCheckpointId): boolean => a !== null && a.run === b.run && a.path === b.path;

/** Opens the inspect view of a run's checkpoint; `reveal` scrolls it into sight (a click, not a reload). */
async function pick(id: RunCheckpointId, reveal = true): Promise<void> {
  ui = { ...ui, inspecting: id };
  save();
  rpc.notify('didSelectCheckpointNotification', id);
  inspect.showLoading(labelOf(id.run), id.path);
  // Its top, not 'nearest': the view sits below the charts and grows once its data arrives, so
  // scrolling to its nearest edge showed only the loading line at the bottom of the panel.
  if (reveal) inspect.reveal();
  try {
    const d = await rpc.request('inspectCheckpointRequest', id);
    if (same(ui.inspecting, id)) {
      inspect.show(d);
      if (reveal) inspect.reveal();
    }
  } catch (err) {
    if (same(ui.inspecting, id)) inspect.showError(labelOf(id.run), id.path, errorText(err));
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

/** Takes in a snapshot: the runs it shows become the ones a reload reopens. */
function accept(s: PanelSnapshot): void {
  const had = (snap?.runs.length ?? 0) > 0;
  snap = s;
  // An empty first snapshot is a reload whose runs are still opening: keep the ones to reopen.
  if (s.runs.length > 0 || had) ui = { ...ui, runs: s.runs.map((r) => ({ path: r.runPath, colour: r.colour })) };
  if (ui.inspecting && s.runs.length > 0 && !s.runs.some((r) => r.runPath === ui.inspecting!.run)) {
    ui = { ...ui, inspecting: null };
    inspect.hide();
  }
  save();
  render();
}

rpc.onNotification('didChangeSnapshotNotification', (s) => {
  if (snap && s.version < snap.version) return;
  accept(s);
});
rpc.onNotification('showInspectNotification', (id) => void pick(id));
rpc.onRequest('collectChartImagesRequest', () => chartImages());

window.addEventListener('error', (e) => report(`Panel error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => report(`Panel error: ${errorText(e.reason)}`));

/** For e2e tests: what the panel holds and what the charts draw. */
(window as unknown as { __ccDebug: unknown }).__ccDebug = {
  snapshot: () => snap,
  uiState: () => ui,
  charts: { ce: ceCanvas, cov: covCanvas },
  inspecting: () => inspect.shown,
};

/** The inspect view a reload had open, once its run has the checkpoint. */
function reopenInspect(): boolean {
  const want = ui.inspecting;
  if (!want) return true;
  if (!snap?.runs.some((r) => r.runPath === want.run && r.rows.some((x) => x.path === want.path))) return false;
  void pick(want, false);
  return true;
}

void (async () => {
  try {
    const first = await rpc.request('getSnapshotRequest', {});
    const current = snap as PanelSnapshot | null;
    if (!current || first.version >= current.version) accept(first);
    // After a reload the runs reopen after the panel: its checkpoint may come with a later snapshot.
    if (!reopenInspect()) {
      const stop = rpc.onNotification('didChangeSnapshotNotification', () => {
        if (reopenInspect()) stop();
      });
    }
    document.body.dataset.ready = 'true';
  } catch (err) {
    report(`Could not load the run: ${errorText(err)}`);
  }
})();
