// Pure shaping of a RunSnapshot into what the charts and the table draw. No DOM here, so
// the unit tests run it under Node (test/unit/webview-shaping.test.ts).
import { stateText } from '../src/shared/stateText';
import type { CheckpointRow, PanelUiState, RunSnapshot } from '../src/shared/protocol';
import { UI_STATE_VERSION } from '../src/shared/protocol';
import { fmt } from '../src/shared/numberFormat';

export interface Point {
  x: number;
  y: number;
  step: number;
  path: string;
}

export interface CurveData {
  xLabel: string;
  ce: Point[];
  /** One series per shown N. */
  cov: { n: number; label: string; points: Point[] }[];
  covAxisLabel: string;
  suggested: { ce: Point | null; cov: Point | null } | null;
  minCrossEntropy: { ce: Point | null; cov: Point | null } | null;
  /** Why some checkpoints are not drawn (log x with step 0, no tokensPerStep). */
  notes: string[];
}

export const DEFAULT_UI_STATE: PanelUiState = { version: UI_STATE_VERSION, runPath: null, xAxis: 'step', xScale: 'linear', covered: false, shownN: [], inspecting: null };

/** Accepts a stored state only when its version and fields are what this build writes. */
export function restoreUiState(raw: unknown): PanelUiState {
  const s = raw as Partial<PanelUiState> | null;
  if (!s || typeof s !== 'object' || s.version !== UI_STATE_VERSION) return { ...DEFAULT_UI_STATE };
  return {
    version: UI_STATE_VERSION,
    runPath: typeof s.runPath === 'string' ? s.runPath : null,
    xAxis: s.xAxis === 'tokens' ? 'tokens' : 'step',
    xScale: s.xScale === 'log' ? 'log' : 'linear',
    covered: s.covered === true,
    shownN: Array.isArray(s.shownN) ? s.shownN.filter((n) => typeof n === 'number' && n >= 1) : [],
    inspecting: typeof s.inspecting === 'string' ? s.inspecting : null,
  };
}

/** N values with coverage figures in this snapshot (the grid until something is scored), ascending. */
export function availableN(snap: RunSnapshot): number[] {
  const ns = new Set<number>();
  for (const r of snap.rows) for (const k of Object.keys(r.coverage)) ns.add(Number(k));
  if (ns.size === 0) for (const n of snap.nGrid) ns.add(n);
  return [...ns].filter((n) => Number.isFinite(n)).sort((a, b) => a - b);
}

/** The shown N: the user's choice where still available, else the selection N and two neighbours. */
export function shownN(snap: RunSnapshot, ui: PanelUiState): number[] {
  const avail = availableN(snap);
  const chosen = ui.shownN.filter((n) => avail.includes(n));
  return chosen.length ? chosen : defaultN(snap, avail);
}

function defaultN(snap: RunSnapshot, avail: number[]): number[] {
  const pick = [2, snap.selectionN, 256].filter((n) => avail.includes(n));
  return pick.length ? [...new Set(pick)].sort((a, b) => a - b) : avail.slice(0, 3);
}

/** A named set of N for the compact N chooser; any other set is "custom". */
export interface NPreset {
  key: string;
  label: string;
  ns: number[];
}

/**
 * The chooser's presets over the available N: the default three, the selection N alone, every
 * 16th power of 2 (the grid's coarse steps), and all of them. Sets that coincide are offered once.
 */
export function nPresets(snap: RunSnapshot): NPreset[] {
  const avail = availableN(snap);
  const list = (ns: number[]) => (ns.length > 4 ? `${ns.slice(0, 3).join(', ')}, …, ${ns[ns.length - 1]}` : ns.join(', '));
  const every16 = avail.filter((n) => Number.isInteger(Math.log2(n) / 4));
  const candidates: NPreset[] = [
    { key: 'default', label: list(defaultN(snap, avail)), ns: defaultN(snap, avail) },
    { key: 'selection', label: `${snap.selectionN} (selection N)`, ns: avail.includes(snap.selectionN) ? [snap.selectionN] : [] },
    { key: 'every16', label: `${list(every16)} (every 16×)`, ns: every16.length >= 2 ? every16 : [] },
    { key: 'all', label: `all ${avail.length}`, ns: avail },
  ];
  const seen = new Set<string>();
  return candidates.filter((p) => {
    const id = p.ns.join(',');
    if (p.ns.length === 0 || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The preset whose set is `shown`, else "custom". */
export function presetKey(presets: readonly NPreset[], shown: readonly number[]): string {
  const id = [...shown].sort((a, b) => a - b).join(',');
  return presets.find((p) => p.ns.join(',') === id)?.key ?? 'custom';
}

function xOf(r: CheckpointRow, ui: PanelUiState, useTokens: boolean): number {
  return useTokens && r.trainTokens !== null ? r.trainTokens : r.step;
}

export function curveData(snap: RunSnapshot, ui: PanelUiState): CurveData {
  const notes: string[] = [];
  const useTokens = ui.xAxis === 'tokens' && snap.rows.some((r) => r.trainTokens !== null);
  if (ui.xAxis === 'tokens' && !useTokens) notes.push('No tokensPerStep in coverage.json: x is the step.');
  const plotted = snap.plotIndices.map((i) => snap.rows[i]).filter((r): r is CheckpointRow => !!r && r.state === 'done');
  let drawn = plotted;
  if (ui.xScale === 'log') {
    drawn = plotted.filter((r) => xOf(r, ui, useTokens) > 0);
    if (drawn.length < plotted.length) notes.push(`${plotted.length - drawn.length} checkpoint(s) at x = 0 are not drawn on a log axis.`);
  }
  if (snap.plotIndices.length < snap.rows.length) notes.push(`Showing ${snap.plotIndices.length} of ${snap.rows.length} checkpoints (downsampled; the table lists all).`);
  const point = (r: CheckpointRow, y: number): Point => ({ x: xOf(r, ui, useTokens), y, step: r.step, path: r.path });
  const ce = drawn.filter((r) => typeof r.cePerToken === 'number' && Number.isFinite(r.cePerToken)).map((r) => point(r, r.cePerToken as number));
  const ns = shownN(snap, ui);
  const covValue = (v: number) => (ui.covered ? 1 - v : v);
  const cov = ns.map((n) => ({
    n,
    label: ui.covered ? `1 − Cov_${n} (covered)` : `Cov_${n}`,
    points: drawn.filter((r) => r.coverage[String(n)] !== undefined).map((r) => point(r, covValue(r.coverage[String(n)]))),
  }));
  const selKey = String(snap.selectionN);
  const mark = (ref: { path: string } | null) => {
    if (!ref) return null;
    const r = drawn.find((x) => x.path === ref.path);
    if (!r) return null;
    const c = r.coverage[selKey];
    return {
      ce: typeof r.cePerToken === 'number' && Number.isFinite(r.cePerToken) ? point(r, r.cePerToken) : null,
      cov: c !== undefined ? point(r, covValue(c)) : null,
    };
  };
  return {
    xLabel: useTokens ? 'training tokens' : 'step',
    ce,
    cov,
    covAxisLabel: ui.covered ? '1 − Cov_N covered · higher is better' : 'Cov_N · lower is better',
    suggested: mark(snap.suggested),
    minCrossEntropy: mark(snap.minCrossEntropy),
    notes,
  };
}

/** The one-line verdict: the report's own (core words it), else why there is none yet. */
export function verdictText(snap: RunSnapshot): string {
  if (snap.error) return `Cannot score this run: ${snap.error}`;
  // A score arrived that the report does not cover yet: the suggestion may still move.
  if (snap.verdict) return snap.reportComplete ? snap.verdict : `${snap.verdict} (updating…)`;
  // Every report has a verdict, so none means no report yet: nothing scored, or the first report still being built.
  return snap.rows.some((r) => r.state === 'done') ? 'No suggestion yet.' : 'No checkpoint scored yet.';
}

/** "scoring step 1200: 300/4000 samples · 3 of 13 done" for the panel's progress line. */
export function progressLine(snap: RunSnapshot): string {
  const p = snap.progress;
  if (snap.awaitingTrust) return 'Waiting for workspace trust before scoring.';
  const settled = p.done + p.failed;
  if (!p.current && settled >= p.total) return p.total ? `${p.done} of ${p.total} checkpoints scored${p.failed ? `, ${p.failed} failed` : ''}${p.provider ? ` on ${p.provider}` : ''}.` : 'No checkpoints in this run yet.';
  const cur = p.current ? `scoring step ${p.current.step}: ${p.current.samples}/${p.current.totalSamples} samples${p.tokensPerSecond ? ` · ${Math.round(p.tokensPerSecond)} tok/s` : ''} · ` : '';
  return `${cur}${settled} of ${p.total} done${p.provider ? ` · ${p.provider}` : ''}`;
}

export interface TableColumn {
  key: string;
  label: string;
  cell: (r: CheckpointRow, snap: RunSnapshot) => string;
  /** Secondary text shown small under the cell (a coverage value's interval), so the table stays narrow. */
  note?: (r: CheckpointRow) => string | null;
}

export function tableColumns(snap: RunSnapshot, ns: number[]): TableColumn[] {
  return [
    { key: 'step', label: 'step', cell: (r) => String(r.step) },
    { key: 'tokens', label: 'train tokens', cell: (r) => (r.trainTokens === null ? '—' : fmt(r.trainTokens, 4)) },
    { key: 'state', label: 'state', cell: (r) => stateText(r) },
    { key: 'ce', label: 'CE/token (nats)', cell: (r) => fmt(r.cePerToken, 5) },
    { key: 'kl', label: 'KL', cell: (r) => fmt(r.kl, 4) },
    ...ns.map((n) => ({ key: `cov${n}`, label: `Cov_${n}`, cell: (r: CheckpointRow) => fmt(r.coverage[String(n)], 3), note: (r: CheckpointRow) => covInterval(r, n) })),
    { key: 'score', label: `score (N=${snap.selectionN})`, cell: (r) => fmt(r.tournamentScore, 4) },
    { key: 'rival', label: 'rival', cell: (r) => (r.rivalStep === null ? '—' : String(r.rivalStep)) },
    { key: 'mark', label: '', cell: (r, s) => [r.path === s.suggested?.path ? '★ suggested' : '', r.path === s.minCrossEntropy?.path ? '▼ lowest CE' : ''].filter(Boolean).join(' ') },
  ];
}

/** The 95% Wilson interval of a coverage cell, or null when there is none. */
function covInterval(r: CheckpointRow, n: number): string | null {
  const ci = r.coverage[String(n)] === undefined ? undefined : r.coverageInterval[String(n)];
  return ci ? `[${fmt(ci[0], 2)}, ${fmt(ci[1], 2)}]` : null;
}

/** Heat of one token for the strip: 0 (probability 1) … 1 (log-prob ≤ −10 nats). */
export function tokenHeat(logprob: number): number {
  if (!Number.isFinite(logprob)) return 1;
  return Math.max(0, Math.min(1, -logprob / 10));
}

const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Shows bidirectional control characters as visible code points, so text from data files
 * cannot reorder what the user reads (the "Trojan Source" trick).
 */
export function escapeBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
