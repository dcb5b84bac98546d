// Pure shaping of a PanelSnapshot into what the charts draw and the panel's lines say. No DOM
// here, so the unit tests run it under Node (test/unit/webview-shaping.test.ts). One run is drawn
// as before (a colour per N); several runs get a colour each, their N told apart by dashes, and
// the marks are the comparison's: one suggestion across all of them.
import type { CheckpointRow, PanelRun, PanelSnapshot } from '../src/shared/protocol';
import { totalProgress } from '../src/shared/progress';
import type { PanelUiState } from '../src/shared/uiState';

export interface Point {
  x: number;
  y: number;
  step: number;
  path: string;
  /** The run's folder (runPath). */
  run: string;
}

/** A line's colour: a run's slot (several runs) or an index into the theme's series colours (one run). */
export type Tone = { run: number } | { series: number };

export interface Series {
  label: string;
  tone: Tone;
  /** Index of the dash pattern (0: solid); several runs tell their N apart by it. */
  dash: number;
  /** The run it belongs to (runPath), and the N of a coverage line. */
  run: string;
  n?: number;
  points: Point[];
}

export interface CurveData {
  xLabel: string;
  /** One CE line per run. */
  ce: Series[];
  /** One line per run and shown N. */
  cov: Series[];
  covAxisLabel: string;
  suggested: { ce: Point | null; cov: Point | null } | null;
  minCrossEntropy: { ce: Point | null; cov: Point | null } | null;
  /** Several runs: the legend names runs (colours) and N (dashes) rather than every line. */
  byRun: { runs: { label: string; run: string; colour: number }[]; ns: number[] } | null;
  /** Why some checkpoints are not drawn (log x with step 0, no tokensPerStep). */
  notes: string[];
}

export { escapeBidi } from './bidi';

/** N values with coverage figures in any run (the grid until something is scored), ascending. */
export function availableN(snap: PanelSnapshot): number[] {
  const ns = new Set<number>();
  for (const run of snap.runs) for (const r of run.rows) for (const k of Object.keys(r.coverage)) ns.add(Number(k));
  if (ns.size === 0) for (const run of snap.runs) for (const n of run.nGrid) ns.add(n);
  return [...ns].filter((n) => Number.isFinite(n)).sort((a, b) => a - b);
}

/** The selection N of the suggestion shown: the comparison's, or the one run's. */
export function selectionN(snap: PanelSnapshot): number {
  return snap.across?.selectionN ?? snap.runs[0]?.selectionN ?? 16;
}

/** The shown N: the user's choice where still available, else the selection N and two neighbours. */
export function shownN(snap: PanelSnapshot, ui: PanelUiState): number[] {
  const avail = availableN(snap);
  const chosen = ui.shownN.filter((n) => avail.includes(n));
  return chosen.length ? chosen : defaultN(snap, avail);
}

function defaultN(snap: PanelSnapshot, avail: number[]): number[] {
  const pick = [2, selectionN(snap), 256].filter((n) => avail.includes(n));
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
export function nPresets(snap: PanelSnapshot): NPreset[] {
  const avail = availableN(snap);
  const sel = selectionN(snap);
  const list = (ns: number[]) => (ns.length > 4 ? `${ns.slice(0, 3).join(', ')}, …, ${ns[ns.length - 1]}` : ns.join(', '));
  const every16 = avail.filter((n) => Number.isInteger(Math.log2(n) / 4));
  const candidates: NPreset[] = [
    { key: 'default', label: list(defaultN(snap, avail)), ns: defaultN(snap, avail) },
    { key: 'selection', label: `${sel} (selection N)`, ns: avail.includes(sel) ? [sel] : [] },
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

/** The suggestion and lowest-CE checkpoint the panel marks: the comparison's with several runs, else the run's. */
export function marks(snap: PanelSnapshot): {
  suggested: { run: string; step: number; path: string } | null;
  minCrossEntropy: { run: string; step: number; path: string } | null;
} {
  if (snap.runs.length > 1) return { suggested: snap.across?.suggested ?? null, minCrossEntropy: snap.across?.minCrossEntropy ?? null };
  const r = snap.runs[0];
  const own = (ref: { step: number; path: string } | null | undefined) => (r && ref ? { run: r.runPath, ...ref } : null);
  return { suggested: own(r?.suggested), minCrossEntropy: own(r?.minCrossEntropy) };
}

export function curveData(snap: PanelSnapshot, ui: PanelUiState): CurveData {
  const notes: string[] = [];
  const runs = snap.runs;
  const several = runs.length > 1;
  // Training tokens only when every run knows them: steps of one run and tokens of another share no axis.
  const known = (run: PanelRun) => run.rows.length === 0 || run.rows.some((r) => r.trainTokens !== null);
  const useTokens = ui.xAxis === 'tokens' && runs.length > 0 && runs.every(known) && runs.some((run) => run.rows.length > 0);
  if (ui.xAxis === 'tokens' && !useTokens) {
    const without = runs.filter((run) => !known(run)).map((run) => run.label);
    notes.push(
      several && without.length
        ? `No tokensPerStep in coverage.json of ${without.join(', ')}: x is the step.`
        : 'No tokensPerStep in coverage.json: x is the step.',
    );
  }
  const xOf = (r: CheckpointRow) => (useTokens && r.trainTokens !== null ? r.trainTokens : r.step);
  const drawnOf = new Map<string, CheckpointRow[]>();
  let offLog = 0;
  let shown = 0;
  let all = 0;
  for (const run of runs) {
    const plotted = run.plotIndices.map((i) => run.rows[i]).filter((r): r is CheckpointRow => !!r && r.state === 'done');
    const drawn = ui.xScale === 'log' ? plotted.filter((r) => xOf(r) > 0) : plotted;
    offLog += plotted.length - drawn.length;
    shown += run.plotIndices.length;
    all += run.rows.length;
    drawnOf.set(run.runPath, drawn);
  }
  if (offLog > 0) notes.push(`${offLog} checkpoint(s) at x = 0 are not drawn on a log axis.`);
  if (shown < all) notes.push(`Showing ${shown} of ${all} checkpoints (downsampled; the table lists all).`);
  const point = (run: PanelRun, r: CheckpointRow, y: number): Point => ({ x: xOf(r), y, step: r.step, path: r.path, run: run.runPath });
  const finiteCe = (r: CheckpointRow): r is CheckpointRow & { cePerToken: number } =>
    typeof r.cePerToken === 'number' && Number.isFinite(r.cePerToken);
  const covValue = (v: number) => (ui.covered ? 1 - v : v);
  const ns = shownN(snap, ui);
  const covName = (n: number) => (ui.covered ? `1 − Cov_${n} (covered)` : `Cov_${n}`);

  const ce: Series[] = runs.map((run) => ({
    label: several ? run.label : 'CE per token (nats), lower is better',
    tone: several ? { run: run.colour } : { series: 0 },
    dash: 0,
    run: run.runPath,
    points: drawnOf
      .get(run.runPath)!
      .filter(finiteCe)
      .map((r) => point(run, r, r.cePerToken)),
  }));
  const cov: Series[] = runs.flatMap((run) =>
    ns.map((n, i): Series => ({
      label: several ? `${run.label} · ${covName(n)}` : covName(n),
      tone: several ? { run: run.colour } : { series: i },
      dash: several ? i : 0,
      run: run.runPath,
      n,
      points: drawnOf
        .get(run.runPath)!
        .filter((r) => r.coverage[String(n)] !== undefined)
        .map((r) => point(run, r, covValue(r.coverage[String(n)]))),
    })),
  );

  const selKey = String(selectionN(snap));
  const mark = (ref: { run: string; path: string } | null) => {
    const run = ref && runs.find((x) => x.runPath === ref.run);
    const r = run && drawnOf.get(run.runPath)!.find((x) => x.path === ref.path);
    if (!run || !r) return null;
    const c = r.coverage[selKey];
    return { ce: finiteCe(r) ? point(run, r, r.cePerToken) : null, cov: c !== undefined ? point(run, r, covValue(c)) : null };
  };
  const m = marks(snap);
  return {
    xLabel: useTokens ? 'training tokens' : 'step',
    ce,
    cov,
    covAxisLabel: ui.covered ? '1 − Cov_N covered · higher is better' : 'Cov_N · lower is better',
    suggested: mark(m.suggested),
    minCrossEntropy: mark(m.minCrossEntropy),
    byRun: several ? { runs: runs.map((r) => ({ label: r.label, run: r.runPath, colour: r.colour })), ns } : null,
    notes,
  };
}

/** The one-line verdict: the comparison's or the run's own (core words both), else why there is none yet. */
export function verdictText(snap: PanelSnapshot): string {
  const runs = snap.runs;
  if (runs.length === 0) return 'No run is open. Use "Checkpoint Coverage: Open Run…".';
  if (runs.length === 1) {
    const s = runs[0];
    if (s.error) return `Cannot score this run: ${s.error}`;
    // A score arrived that the report does not cover yet: the suggestion may still move.
    if (s.verdict) return s.reportComplete ? s.verdict : `${s.verdict} (updating…)`;
    // Every report has a verdict, so none means no report yet: nothing scored, or the first report still being built.
    return s.rows.some((r) => r.state === 'done') ? 'No suggestion yet.' : 'No checkpoint scored yet.';
  }
  if (snap.acrossError) return `No comparison across the runs: ${snap.acrossError}.`;
  const pending = snap.across?.pending.length ? ` Not compared yet: ${snap.across.pending.join(', ')}.` : '';
  const updating = runs.every((r) => r.reportComplete) ? '' : ' (updating…)';
  if (snap.across) return `Across ${runs.length} runs: ${snap.across.verdict}${updating}${pending}`;
  return runs.filter((r) => r.rows.some((x) => x.state === 'done')).length >= 2
    ? 'Comparing the runs…'
    : `No comparison yet: it needs two runs with scored checkpoints (${runs.length} open).`;
}

/**
 * The runs' warnings and input problems, each once: with several runs a message is prefixed by the
 * runs it concerns ("lr-0.8, lr-1: …"), so a warning every run shares reads as one line.
 */
export function runWarnings(snap: PanelSnapshot): string[] {
  const runs = new Map<string, string[]>();
  for (const r of snap.runs) for (const w of [...r.warnings, ...r.problems]) runs.set(w, [...(runs.get(w) ?? []), r.label]);
  return [...runs].map(([w, labels]) => (snap.runs.length > 1 ? `${labels.join(', ')}: ${w}` : w));
}

/** "scoring step 1200: 300/4000 samples · 3 of 13 done" for the panel's progress line (several runs: their sum). */
export function progressLine(snap: PanelSnapshot): string {
  const runs = snap.runs;
  if (runs.some((r) => r.awaitingTrust)) return 'Waiting for workspace trust before scoring.';
  const p = totalProgress(runs.map((r) => r.progress));
  const settled = p.done + p.failed;
  const where = runs.length > 1 ? ` in ${runs.length} runs` : '';
  if (!p.current && settled >= p.total)
    return p.total
      ? `${p.done} of ${p.total} checkpoints scored${where}${p.failed ? `, ${p.failed} failed` : ''}${p.provider ? ` on ${p.provider}` : ''}.`
      : 'No checkpoints in this run yet.';
  const busy = runs.length > 1 ? runs.find((r) => r.progress.current !== null) : undefined;
  const cur = p.current
    ? `scoring ${busy ? `${busy.label} ` : ''}step ${p.current.step}: ${p.current.samples}/${p.current.totalSamples} samples${p.tokensPerSecond ? ` · ${Math.round(p.tokensPerSecond)} tok/s` : ''} · `
    : '';
  return `${cur}${settled} of ${p.total} done${where}${p.provider ? ` · ${p.provider}` : ''}`;
}

/** Heat of one token for the strip: 0 (probability 1) … 1 (log-prob ≤ −10 nats). */
export function tokenHeat(logprob: number): number {
  if (!Number.isFinite(logprob)) return 1;
  return Math.max(0, Math.min(1, -logprob / 10));
}
