// Shapes the open runs (each session's snapshot) and their comparison into the PanelSnapshot the
// panel, tree and status bar show; names the runs and gives each a colour. Pure.
import type { AcrossResult } from '../core/report';
import type { AcrossSnapshot, PanelRun, PanelSnapshot, RunCheckpointRef, RunSnapshot } from '../shared/protocol';

/** A comparison across runs as built, with the run names (labels) it used. */
export interface AcrossBuilt {
  /** core's buildAcross result; runs named by label. */
  result: AcrossResult;
  /** Each compared run's label, to its folder. */
  roots: ReadonlyMap<string, string>;
  /** Open runs left out of it, each "label (why)". */
  pending: string[];
}

export interface PanelRunInput {
  snap: RunSnapshot;
  label: string;
  colour: number;
}

/**
 * Names for runs in a list: each folder's name, with as many parent folders as it takes to tell it
 * from the others ("seed-1" beside "seed-2"; "a/seed-1" beside "b/seed-1").
 */
export function runLabels(roots: readonly string[]): string[] {
  const parts = roots.map((r) => r.replace(/\\/g, '/').split('/').filter(Boolean));
  const suffix = (i: number, d: number) => parts[i].slice(-d).join('/');
  return parts.map((p, i) => {
    for (let d = 1; d < p.length; d++) {
      const mine = suffix(i, d);
      if (parts.every((_, j) => j === i || suffix(j, d) !== mine)) return mine;
    }
    return roots[i];
  });
}

/** The lowest colour slot not in use: a run keeps its colour while others come and go. */
export function freeColour(used: Iterable<number>): number {
  const taken = new Set(used);
  let c = 0;
  while (taken.has(c)) c++;
  return c;
}

export function panelSnapshot(version: number, inputs: readonly PanelRunInput[], built: AcrossBuilt | null): PanelSnapshot {
  const across = inputs.length >= 2 && built?.result.across ? acrossSnapshot(built) : null;
  const marks = [across?.suggested, across?.minCrossEntropy].filter((m): m is RunCheckpointRef => !!m);
  const runs = inputs.map(({ snap, label, colour }): PanelRun => ({ ...snap, label, colour, plotIndices: withMarks(snap, marks) }));
  return {
    version,
    runs,
    across,
    acrossError: inputs.length >= 2 && built ? built.result.acrossError : null,
  };
}

function acrossSnapshot(built: AcrossBuilt): AcrossSnapshot | null {
  const a = built.result.across;
  if (!a) return null;
  const root = (label: string | null) => (label === null ? null : (built.roots.get(label) ?? null));
  const ref = (r: { run: string; step: number; path: string } | null): RunCheckpointRef | null => {
    const run = r && root(r.run);
    return r && run ? { run, step: r.step, path: r.path } : null;
  };
  return {
    selectionN: a.selectionN,
    dev: a.dev,
    resolved: a.resolved,
    verdict: a.verdict,
    suggested: ref(a.suggested),
    minCrossEntropy: ref(a.minCrossEntropy),
    checkpoints: a.checkpoints.flatMap((c) => {
      const run = root(c.run);
      return run ? [{ run, path: c.path, tournamentScore: c.tournamentScore, rivalRun: root(c.rivalRun), rivalStep: c.rivalStep }] : [];
    }),
    pending: built.pending,
  };
}

/** The run's plotted rows, plus its rows the comparison marks: downsampling never drops them. */
function withMarks(snap: RunSnapshot, marks: readonly RunCheckpointRef[]): number[] {
  const extra = marks
    .filter((m) => m.run === snap.runPath)
    .map((m) => snap.rows.findIndex((r) => r.path === m.path))
    .filter((i) => i >= 0);
  if (extra.every((i) => snap.plotIndices.includes(i))) return snap.plotIndices;
  return [...new Set([...snap.plotIndices, ...extra])].sort((a, b) => a - b);
}
